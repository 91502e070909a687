"""``policy/v1`` PodDisruptionBudget: the object, the API server's validation, and the
disruption controller's arithmetic.

Upstream: ``pkg/apis/policy/validation/validation.go`` (``ValidatePodDisruptionBudgetSpec``),
``pkg/apis/apps/validation`` (``ValidatePositiveIntOrPercent``, ``IsNotMoreThan100Percent``),
``apimachinery/pkg/util/intstr`` (``GetScaledValueFromIntOrPercent``) and
``pkg/controller/disruption/disruption.go`` (``getExpectedPodCount``, ``updatePdbStatus``).
"""

import math
import re
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from jobsim.k8s.content import _regex_error
from jobsim.k8s.errors import OMIT, FieldError, invalid, not_supported
from jobsim.k8s.job import LabelSelector, ObjectMeta
from jobsim.k8s.validation_core import validate_label_selector, validate_object_meta

__all__ = [
    "JOB_SCALE_ERROR",
    "PodDisruptionBudget",
    "PodDisruptionBudgetSpec",
    "desired_healthy",
    "disruptions_allowed",
    "scaled_value",
    "validate_pdb",
]

Int32 = Annotated[StrictInt, Field(ge=-(2**31), le=2**31 - 1)]
IntOrString = Int32 | str

UNHEALTHY_POLICIES: Final = ["AlwaysAllow", "IfHealthyBudget"]
JOB_SCALE_ERROR: Final = "jobs.batch does not implement the scale subresource"
"""Why a budget of Job pods with ``maxUnavailable`` or a percentage ``minAvailable`` never
allows a disruption: ``getExpectedScale`` finds no scale for a Job, and ``failSafe`` sets
``disruptionsAllowed`` to 0 (condition ``DisruptionAllowed=False``, ``SyncFailed``)."""

_PERCENT_RE: Final = re.compile(r"[0-9]+%")
_PERCENT_MSG: Final = _regex_error(
    "a valid percent string must be a numeric string followed by an ending '%'",
    "[0-9]+%",
    "1%",
    "93%",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)


class PodDisruptionBudgetSpec(_Strict):
    """``policy/v1`` ``PodDisruptionBudgetSpec``."""

    minAvailable: IntOrString | None = None
    maxUnavailable: IntOrString | None = None
    selector: LabelSelector | None = None
    unhealthyPodEvictionPolicy: str | None = None


class PodDisruptionBudget(_Strict):
    """A ``policy/v1`` PodDisruptionBudget, as written in a scenario's
    ``podDisruptionBudgets``."""

    apiVersion: Literal["policy/v1"] = "policy/v1"
    kind: Literal["PodDisruptionBudget"] = "PodDisruptionBudget"
    metadata: ObjectMeta
    spec: PodDisruptionBudgetSpec

    @property
    def name(self) -> str:
        """``metadata.name``."""
        return self.metadata.name or ""

    @property
    def namespace(self) -> str:
        """``metadata.namespace`` (``default`` when not given)."""
        return self.metadata.namespace or "default"


def _int_or_percent(value: int | str, path: str) -> list[FieldError]:
    """``ValidatePositiveIntOrPercent`` then ``IsNotMoreThan100Percent``."""
    if isinstance(value, str):
        if not _PERCENT_RE.fullmatch(value):
            return [invalid(path, value, _PERCENT_MSG)]
        if int(value[:-1]) > 100:
            return [invalid(path, value, "must not be greater than 100%")]
        return []
    if value < 0:
        return [invalid(path, value, "must be greater than or equal to 0")]
    return []


def validate_pdb(pdb: PodDisruptionBudget, path: str) -> list[FieldError]:
    """``ValidatePodDisruptionBudget``: metadata, then the spec."""
    meta = pdb.metadata
    if not meta.namespace:  # kubectl apply puts it in the current namespace
        meta = meta.model_copy(update={"namespace": "default"})
    errs = validate_object_meta(meta, f"{path}.metadata")
    spec, sp = pdb.spec, f"{path}.spec"
    if spec.minAvailable is not None and spec.maxUnavailable is not None:
        errs.append(invalid(sp, OMIT, "minAvailable and maxUnavailable cannot be both set"))
    if spec.minAvailable is not None:
        errs.extend(_int_or_percent(spec.minAvailable, f"{sp}.minAvailable"))
    if spec.maxUnavailable is not None:
        errs.extend(_int_or_percent(spec.maxUnavailable, f"{sp}.maxUnavailable"))
    if spec.selector is not None:
        errs.extend(validate_label_selector(spec.selector, f"{sp}.selector"))
    policy = spec.unhealthyPodEvictionPolicy
    if policy is not None and policy not in UNHEALTHY_POLICIES:
        errs.append(not_supported(f"{sp}.unhealthyPodEvictionPolicy", policy, UNHEALTHY_POLICIES))
    return errs


def scaled_value(value: int | str, total: int, round_up: bool) -> int:
    """``intstr.GetScaledValueFromIntOrPercent``: an int as is, a percentage of ``total``."""
    if isinstance(value, int):
        return value
    scaled = int(value[:-1]) * total / 100
    return math.ceil(scaled) if round_up else math.floor(scaled)


def desired_healthy(spec: PodDisruptionBudgetSpec, pods: int) -> tuple[int, int] | None:
    """``getExpectedPodCount`` for pods whose controller is a Job: ``(expectedCount,
    desiredHealthy)``. An integer ``minAvailable`` is the desired count, and the pods the
    budget selects are the expected ones; ``maxUnavailable`` and a percentage
    ``minAvailable`` need the controller's scale, which a Job lacks (None: the sync fails,
    ``JOB_SCALE_ERROR``). A budget with neither field expects nothing, so it allows nothing."""
    if spec.maxUnavailable is not None:
        return None
    if spec.minAvailable is None:
        return 0, 0
    if isinstance(spec.minAvailable, str):
        return None
    return pods, spec.minAvailable


def disruptions_allowed(current_healthy: int, desired: int, expected: int) -> int:
    """``updatePdbStatus``: ``currentHealthy - desiredHealthy``, 0 when negative or when the
    budget covers no pod (``expectedCount <= 0``)."""
    allowed = current_healthy - desired
    return 0 if expected <= 0 or allowed <= 0 else allowed
