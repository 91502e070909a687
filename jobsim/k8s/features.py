"""The feature gates jobsim models, per Kubernetes release, 1.29 to 1.36: the Job gates,
``MatchLabelKeysInPodAffinity`` (pod affinity terms' ``matchLabelKeys``/``mismatchLabelKeys``)
and ``SchedulerPopFromBackoffQ`` (``cluster.scheduler``'s queue pops a backing-off pod when
activeQ is empty).

Upstream: ``pkg/features/kube_features.go``, the versioned specs of each gate (e.g.
``JobManagedBy: {{1.30, false, Alpha}, {1.32, true, Beta}, {1.35, true, GA, LockToDefault}}``).
A release's default is the last spec at or before it; a gate not yet introduced, or removed
after GA, cannot be set (``unrecognized feature gate``), and a locked one cannot be set off
(component-base ``featuregate``: ``cannot set feature gate X to false, feature is locked to
true``). Releases emulated with ``--emulated-version`` take the same table.

What each gate changes in the Job controller is in ``docs/mechanisms.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jobsim.k8s.pod_affinity import drop_match_label_keys

__all__ = [
    "DEFAULT_GATES",
    "GATE_SPECS",
    "JOB_GATES",
    "NEWEST_RELEASE",
    "RELEASES",
    "FeatureGateError",
    "FeatureGates",
    "GateSpec",
    "drop_disabled_fields",
    "feature_gates",
    "gate_spec",
    "parse_feature_gates",
]

RELEASES = ("1.29", "1.30", "1.31", "1.32", "1.33", "1.34", "1.35", "1.36")
NEWEST_RELEASE = RELEASES[-1]
DELAY_TERMINAL_SINCE = (1, 31)
"""The first release with ``delayTerminalCondition`` in job_controller.go."""


@dataclass(frozen=True)
class GateSpec:
    """One versioned spec of a gate: from ``since`` on, its default, stage and lock."""

    since: str
    default: bool
    stage: str  # Alpha, Beta, GA, or Removed (the gate no longer exists)
    locked: bool = False


# From kube_features.go of 1.32, 1.33 and 1.35 (JobPodFailurePolicy: GA in 1.31, "remove in
# 1.33", absent from the 1.33 file). The 1.36 defaults continue the 1.35 specs.
GATE_SPECS: dict[str, tuple[GateSpec, ...]] = {
    "JobPodFailurePolicy": (
        GateSpec("1.25", False, "Alpha"),
        GateSpec("1.26", True, "Beta"),
        GateSpec("1.31", True, "GA", locked=True),
        GateSpec("1.33", True, "Removed", locked=True),
    ),
    "JobBackoffLimitPerIndex": (
        GateSpec("1.28", False, "Alpha"),
        GateSpec("1.29", True, "Beta"),
        GateSpec("1.33", True, "GA", locked=True),
    ),
    "JobPodReplacementPolicy": (
        GateSpec("1.28", False, "Alpha"),
        GateSpec("1.29", True, "Beta"),
        GateSpec("1.34", True, "GA", locked=True),
    ),
    "JobSuccessPolicy": (
        GateSpec("1.30", False, "Alpha"),
        GateSpec("1.31", True, "Beta"),
        GateSpec("1.33", True, "GA", locked=True),
    ),
    "JobManagedBy": (
        GateSpec("1.30", False, "Alpha"),
        GateSpec("1.32", True, "Beta"),
        GateSpec("1.35", True, "GA", locked=True),
    ),
    # Alpha 1.29, Beta 1.31, GA and locked 1.33 (kube_features.go of 1.33 and 1.35)
    "MatchLabelKeysInPodAffinity": (
        GateSpec("1.29", False, "Alpha"),
        GateSpec("1.31", True, "Beta"),
        GateSpec("1.33", True, "GA", locked=True),
    ),
    # Beta and on from 1.33 (kube_features.go of 1.33 and 1.35)
    "SchedulerPopFromBackoffQ": (GateSpec("1.33", True, "Beta"),),
}
JOB_GATES = tuple(GATE_SPECS)


class FeatureGateError(ValueError):
    """A release or gate setting the cluster would refuse; the message says which and why."""


def _version(release: str) -> tuple[int, int]:
    major, minor = release.split(".")
    return int(major), int(minor)


def gate_spec(gate: str, release: str) -> GateSpec | None:
    """The spec of ``gate`` in ``release``; None before the gate exists."""
    at = _version(release)
    current = None
    for spec in GATE_SPECS[gate]:
        if _version(spec.since) <= at:
            current = spec
    return current


@dataclass(frozen=True)
class FeatureGates:
    """The gates a cluster runs with, and the release they come from."""

    release: str = NEWEST_RELEASE
    JobPodFailurePolicy: bool = True
    JobBackoffLimitPerIndex: bool = True
    JobPodReplacementPolicy: bool = True
    JobSuccessPolicy: bool = True
    JobManagedBy: bool = True
    MatchLabelKeysInPodAffinity: bool = True
    SchedulerPopFromBackoffQ: bool = True

    @property
    def delay_terminal_condition(self) -> bool:
        """``delayTerminalCondition``: FailureTarget/SuccessCriteriaMet first, the terminal
        condition once no pod is terminating (JobManagedBy or JobPodReplacementPolicy), from
        1.31 on, the release that added it (kubernetes#125510, "delay setting terminal Job
        conditions until all pods are terminal"); 1.29 and 1.30 set Failed and Complete at
        once whatever the gates."""
        return _version(self.release) >= DELAY_TERMINAL_SINCE and (
            self.JobManagedBy or self.JobPodReplacementPolicy
        )

    def off(self) -> tuple[str, ...]:
        """The gates that are off."""
        return tuple(g for g in JOB_GATES if not getattr(self, g))

    def values(self) -> dict[str, bool]:
        """Each gate and whether it is on."""
        return {g: bool(getattr(self, g)) for g in JOB_GATES}


DEFAULT_GATES = FeatureGates()


def feature_gates(
    release: str | None = None, overrides: Mapping[str, Any] | None = None
) -> FeatureGates:
    """The gates of ``release`` (default: the newest) with ``overrides`` (``--feature-gates``)
    applied; ``FeatureGateError`` for an unknown release or gate, a non-boolean value, or a
    locked gate set away from its default."""
    release = NEWEST_RELEASE if release is None else str(release)
    if release not in RELEASES:
        raise FeatureGateError(
            f"unknown Kubernetes release {release!r}: known are {', '.join(RELEASES)}"
        )
    values: dict[str, bool] = {}
    for gate in JOB_GATES:
        spec = gate_spec(gate, release)
        values[gate] = spec is not None and spec.default
    for gate, value in (overrides or {}).items():
        spec = gate_spec(gate, release) if gate in GATE_SPECS else None
        if spec is None or spec.stage == "Removed":
            raise FeatureGateError(f"unrecognized feature gate: {gate} (in release {release})")
        if not isinstance(value, bool):
            raise FeatureGateError(f"feature gate {gate}: expected true or false, got {value!r}")
        if spec.locked and value != spec.default:
            raise FeatureGateError(
                f"cannot set feature gate {gate} to {str(value).lower()}, feature is locked to "
                f"{str(spec.default).lower()} (in release {release})"
            )
        values[gate] = value
    return FeatureGates(release, **values)


def drop_disabled_fields(spec: Any, gates: FeatureGates) -> Any:
    """The JobSpec as the API server stores it with these gates (``dropDisabledFields`` of
    ``pkg/registry/batch/job/strategy.go``, and ``DropDisabledTemplateFields`` for the pod
    template): the fields of a disabled gate are dropped.
    The same object when nothing is dropped."""
    drop: dict[str, None] = {}
    if not gates.JobPodFailurePolicy and spec.podFailurePolicy is not None:
        drop["podFailurePolicy"] = None
    if not gates.JobBackoffLimitPerIndex and (
        spec.backoffLimitPerIndex is not None or spec.maxFailedIndexes is not None
    ):
        drop["backoffLimitPerIndex"] = None
        drop["maxFailedIndexes"] = None
    if not gates.JobPodReplacementPolicy and spec.podReplacementPolicy is not None:
        drop["podReplacementPolicy"] = None
    if not gates.JobSuccessPolicy and spec.successPolicy is not None:
        drop["successPolicy"] = None
    if not gates.JobManagedBy and spec.managedBy is not None:
        drop["managedBy"] = None
    if not gates.MatchLabelKeysInPodAffinity:
        # DropDisabledTemplateFields: dropDisabledMatchLabelKeysFieldInPodAffinity
        pod = spec.template.spec
        affinity = drop_match_label_keys(pod.affinity)
        if affinity is not pod.affinity:
            pod = pod.model_copy(update={"affinity": affinity})
            drop["template"] = spec.template.model_copy(update={"spec": pod})
    return spec.model_copy(update=drop) if drop else spec


_GO_BOOLS = {
    **dict.fromkeys(("1", "t", "T", "TRUE", "true", "True"), True),
    **dict.fromkeys(("0", "f", "F", "FALSE", "false", "False"), False),
}


def parse_feature_gates(text: str) -> dict[str, bool]:
    """``--feature-gates`` as component-base reads it: ``Key=value`` pairs separated by
    commas, each value as Go ``strconv.ParseBool`` reads it; ``FeatureGateError`` otherwise.
    Which gates a release knows is ``feature_gates``' check."""
    out: dict[str, bool] = {}
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            raise FeatureGateError(f"missing bool value for {key or part!r}: expected Key=true")
        if value not in _GO_BOOLS:
            raise FeatureGateError(
                f'invalid value of {key}: {value}, err: strconv.ParseBool: parsing "{value}": '
                "invalid syntax"
            )
        out[key] = _GO_BOOLS[value]
    return out
