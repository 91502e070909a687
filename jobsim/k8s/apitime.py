"""``metav1.Time`` as stored by the API server: whole seconds.

Upstream ``staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/time.go``: ``MarshalJSON`` writes
``t.UTC().AppendFormat(buf, time.RFC3339)`` (no fraction of a second) and ``Rfc3339Copy``
returns "a copy of the Time at second-level precision"; ``time_proto.go`` sends only
``Seconds`` (``ProtoTime``: "our JSON only handled seconds") and ``Unmarshal`` reads
``time.Unix(p.Seconds, 0)``. So every ``metav1.Time`` a client writes (a Job's
``status.startTime``, ``completionTime``, condition times; a pod's ``creationTimestamp``,
``deletionTimestamp``, container ``finishedAt``, condition ``lastTransitionTime``) reads back
truncated to the second. (``metav1.MicroTime``, of Events and Leases, keeps microseconds.)
"""

from __future__ import annotations

import math
from collections.abc import Callable

__all__ = ["rfc3339_copy", "stored_time"]

_NS = 1_000_000_000


def rfc3339_copy(t: float, fraction: float = 0.0) -> float:
    """``Rfc3339Copy`` of virtual time ``t``: the whole second of the wall clock at or before it.

    ``fraction`` is the wall clock's fraction of a second at virtual time 0 (0 for a wall clock
    on a whole second, as the default one is). The time is taken in whole nanoseconds first,
    as Go holds it, so float round-off (``19.999999999999996``) does not lose a second.
    """
    ns = round((t + fraction) * _NS)
    return float(ns // _NS) - fraction


def stored_time(precision: float, wall_clock: float) -> Callable[[float], float] | None:
    """The round trip of a time through the API for ``timing.apiTimestampPrecision``:
    ``None`` when times are kept exact (0), else :func:`rfc3339_copy` for ``wall_clock``
    (seconds since the Unix epoch at virtual time 0)."""
    if precision == 0:
        return None
    fraction = wall_clock - math.floor(wall_clock)

    def stored(t: float) -> float:
        return rfc3339_copy(t, fraction)

    return stored
