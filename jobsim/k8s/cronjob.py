"""``batch/v1`` CronJob: the pydantic model, API-server defaulting and create validation.

Upstream: ``k8s.io/api/batch/v1`` ``types.go`` (``CronJob``, ``CronJobSpec``,
``JobTemplateSpec``), ``pkg/apis/batch/v1/defaults.go`` ``SetDefaults_CronJob`` and
``pkg/apis/batch/validation/validation.go`` ``ValidateCronJobCreate``,
``validateCronJobSpec``, ``validateScheduleFormat``, ``validateTimeZone``,
``validateConcurrencyPolicy`` and ``ValidateJobTemplateSpec``. The Job template is validated
as the Job the controller will create from it (``job_from_template``): ``validate_job`` of
that Job, its paths under ``spec.jobTemplate``.
"""

import re
import zoneinfo
from typing import Any, ClassVar, Final

from jobsim.k8s.errors import FieldError, invalid, not_supported, required
from jobsim.k8s.job import Int32, Int64, JobSpec, ObjectMeta, _Strict
from jobsim.k8s.validation_core import (
    label_selector_json,
    validate_nonnegative,
    validate_object_meta,
)

ALLOW: Final = "Allow"
FORBID: Final = "Forbid"
REPLACE: Final = "Replace"
CONCURRENCY_POLICIES: Final = [ALLOW, FORBID, REPLACE]

DEFAULT_SUCCESSFUL_JOBS_HISTORY_LIMIT: Final = 3
DEFAULT_FAILED_JOBS_HISTORY_LIMIT: Final = 1
MAX_CRONJOB_NAME_LENGTH: Final = 52
"""63 (a DNS-1035 label) minus the 11 characters of ``-<minutes since the epoch>``."""

SCHEDULED_TIMESTAMP_ANNOTATION: Final = "batch.kubernetes.io/cronjob-scheduled-timestamp"
"""``batchv1.CronJobScheduledTimestampAnnotation``: the scheduled time, RFC 3339 in the
CronJob's time zone."""


class JobTemplateSpec(_Strict):
    """``batch/v1 JobTemplateSpec``: the Jobs' labels and annotations, and their spec."""

    metadata: ObjectMeta | None = None
    spec: JobSpec


class CronJobSpec(_Strict):
    """``batch/v1 CronJobSpec``."""

    GO_TYPES: ClassVar[dict[str, str]] = {"concurrencyPolicy": "v1.ConcurrencyPolicy"}

    schedule: str = ""
    timeZone: str | None = None
    startingDeadlineSeconds: Int64 | None = None
    concurrencyPolicy: str | None = None
    suspend: bool | None = None
    jobTemplate: JobTemplateSpec
    successfulJobsHistoryLimit: Int32 | None = None
    failedJobsHistoryLimit: Int32 | None = None


class CronJob(_Strict):
    """``batch/v1 CronJob``. ``status`` is accepted and cleared, as on create."""

    GO_TYPES: ClassVar[dict[str, str]] = {"status": "v1.CronJobStatus"}

    apiVersion: str
    kind: str
    metadata: ObjectMeta
    spec: CronJobSpec
    status: dict[str, object] | None = None


def set_cronjob_defaults(cj: CronJob) -> CronJob:
    """``SetDefaults_CronJob``: concurrencyPolicy Allow, suspend false, history limits 3 and
    1; the namespace ``default``."""
    spec = cj.spec
    upd: dict[str, Any] = {}
    if not spec.concurrencyPolicy:
        upd["concurrencyPolicy"] = ALLOW
    if spec.suspend is None:
        upd["suspend"] = False
    if spec.successfulJobsHistoryLimit is None:
        upd["successfulJobsHistoryLimit"] = DEFAULT_SUCCESSFUL_JOBS_HISTORY_LIMIT
    if spec.failedJobsHistoryLimit is None:
        upd["failedJobsHistoryLimit"] = DEFAULT_FAILED_JOBS_HISTORY_LIMIT
    meta = cj.metadata.model_copy(update={"namespace": cj.metadata.namespace or "default"})
    return cj.model_copy(update={"spec": spec.model_copy(update=upd), "metadata": meta})


# validation.go: validTimeZoneCharacters
_TZ_PART = re.compile(r"^[A-Za-z.\-_0-9+]{1,14}\Z")


def load_location(name: str) -> str | None:
    """Go's ``time.LoadLocation`` error for ``name``, or None if it loads ("" and "UTC" are
    UTC; "Local" is the controller's own zone)."""
    if name in ("", "UTC", "Local"):
        return None
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return f"unknown time zone {name}"
    return None


def validate_time_zone(tz: str | None, path: str) -> list[FieldError]:
    """``validateTimeZone``."""
    if tz is None:
        return []
    if tz == "":
        return [invalid(path, tz, "timeZone must be nil or non-empty string")]
    for part in tz.split("/"):
        if part in (".", "..") or part.startswith("-") or not _TZ_PART.match(part):
            return [invalid(path, tz, f"unknown time zone {tz}")]
    errs: list[FieldError] = []
    if tz.lower() == "local":
        errs.append(
            invalid(
                path,
                tz,
                "timeZone must be an explicit time zone as defined in "
                "https://www.iana.org/time-zones",
            )
        )
    loaded = load_location(tz)
    if loaded is not None:
        errs.append(invalid(path, tz, loaded))
    return errs


def validate_schedule_format(schedule: str, time_zone: str | None, path: str) -> list[FieldError]:
    """``validateScheduleFormat`` on create (TZ in the schedule is never allowed)."""
    # Imported here: a scenario without CronJobs never parses a schedule (about 1.5 % of
    # ``jobsim validate``'s start-up).
    from jobsim.k8s.cronparse import CronSyntaxError, parse_standard

    errs: list[FieldError] = []
    try:
        parse_standard(schedule)
    except CronSyntaxError as e:
        errs.append(invalid(path, schedule, str(e)))
    if "TZ" in schedule:
        errs.append(
            invalid(
                path, schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"
            )
        )
    return errs


def validate_cronjob(cj: CronJob, template_errors: list[FieldError]) -> list[FieldError]:
    """``ValidateCronJobCreate`` of a defaulted CronJob. ``template_errors`` are those of the
    Job its template makes (``validateJobSpec`` upstream), with paths under the template."""
    errs = validate_object_meta(cj.metadata, "metadata")
    spec, path = cj.spec, "spec"
    if not spec.schedule:
        errs.append(required(f"{path}.schedule"))
    else:
        errs.extend(validate_schedule_format(spec.schedule, spec.timeZone, f"{path}.schedule"))
    if spec.startingDeadlineSeconds is not None:
        errs.extend(
            validate_nonnegative(spec.startingDeadlineSeconds, f"{path}.startingDeadlineSeconds")
        )
    errs.extend(validate_time_zone(spec.timeZone, f"{path}.timeZone"))
    policy = spec.concurrencyPolicy or ""
    if policy == "":
        errs.append(required(f"{path}.concurrencyPolicy"))
    elif policy not in CONCURRENCY_POLICIES:
        errs.append(not_supported(f"{path}.concurrencyPolicy", policy, CONCURRENCY_POLICIES))
    errs.extend(template_errors)
    tpath = f"{path}.jobTemplate.spec"
    job_spec = spec.jobTemplate.spec
    if job_spec.selector is not None:
        errs.append(
            invalid(
                f"{tpath}.selector",
                label_selector_json(job_spec.selector),
                "`selector` will be auto-generated",
            )
        )
    if job_spec.manualSelector:
        errs.append(not_supported(f"{tpath}.manualSelector", True, ["nil", "false"]))
    for name in ("successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
        limit = getattr(spec, name)
        if limit is not None:
            errs.extend(validate_nonnegative(limit, f"{path}.{name}"))
    name = cj.metadata.name or ""
    if len(name) > MAX_CRONJOB_NAME_LENGTH:
        errs.append(invalid("metadata.name", name, "must be no more than 52 characters"))
    return errs


def job_manifest(cj: CronJob, name: str, annotations: dict[str, str]) -> dict[str, Any]:
    """``getJobFromTemplate2``: the Job manifest the controller creates for one scheduled
    time: ``name``, the template's labels and annotations plus ``annotations``, the CronJob
    as its controller owner (``blockOwnerDeletion``), the template's spec."""
    meta = cj.spec.jobTemplate.metadata or ObjectMeta()
    return _from_template(cj, name, {**(meta.annotations or {}), **annotations}, True)


INSTANTIATE_ANNOTATION: Final = "cronjob.kubernetes.io/instantiate"
"""The annotation ``kubectl create job --from=cronjob/…`` sets to ``manual``."""


def manual_job_manifest(cj: CronJob, name: str) -> dict[str, Any]:
    """``kubectl create job NAME --from=cronjob/CJ`` (kubectl ``createJobFromCronJob``): the
    template's labels, its annotations over ``cronjob.kubernetes.io/instantiate: manual``, an
    ownerReference to the CronJob with ``controller: true`` (no ``blockOwnerDeletion``), the
    template's spec."""
    meta = cj.spec.jobTemplate.metadata or ObjectMeta()
    annotations = {INSTANTIATE_ANNOTATION: "manual", **(meta.annotations or {})}
    return _from_template(cj, name, annotations, False)


def _from_template(
    cj: CronJob, name: str, annotations: dict[str, str], block_owner_deletion: bool
) -> dict[str, Any]:
    """A Job manifest of ``cj``'s template: ``name``, ``annotations``, the template's labels,
    an ownerReference to ``cj`` as controller, the template's spec."""
    template = cj.spec.jobTemplate
    meta = template.metadata or ObjectMeta()
    owner: dict[str, Any] = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "name": cj.metadata.name,
        "uid": cj.metadata.uid or "",
        "controller": True,
    }
    if block_owner_deletion:
        owner["blockOwnerDeletion"] = True
    manifest_meta: dict[str, Any] = {
        "name": name,
        "namespace": cj.metadata.namespace,
        "annotations": annotations,
        "ownerReferences": [owner],
    }
    if meta.labels:
        manifest_meta["labels"] = dict(meta.labels)
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": manifest_meta,
        "spec": template.spec.model_dump(exclude_none=True),
    }


__all__ = [
    "ALLOW",
    "CONCURRENCY_POLICIES",
    "DEFAULT_FAILED_JOBS_HISTORY_LIMIT",
    "DEFAULT_SUCCESSFUL_JOBS_HISTORY_LIMIT",
    "FORBID",
    "INSTANTIATE_ANNOTATION",
    "MAX_CRONJOB_NAME_LENGTH",
    "REPLACE",
    "SCHEDULED_TIMESTAMP_ANNOTATION",
    "CronJob",
    "CronJobSpec",
    "JobTemplateSpec",
    "job_manifest",
    "load_location",
    "manual_job_manifest",
    "set_cronjob_defaults",
    "validate_cronjob",
    "validate_schedule_format",
    "validate_time_zone",
]
