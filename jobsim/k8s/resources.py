"""A pod's effective resource requests, as the scheduler counts them.

Upstream: ``k8s.io/component-helpers/resource`` ``PodRequests`` (requests default to limits,
``pkg/apis/core/v1/defaults.go`` ``SetDefaults_Pod``): the sum over regular containers and
sidecars (init containers with ``restartPolicy: Always``, which run beside them), or, where
that is more, what an init container needs while it runs: its own requests plus those of the
sidecars started before it (KEP-753, "exposing pod resource requirements"), per resource.
"""

from __future__ import annotations

from jobsim.k8s.job import Container, Job
from jobsim.units import milli_value, parse_quantity, value


def _requests(c: Container) -> dict[str, int]:
    res = c.resources
    if res is None:
        return {}
    merged = dict(res.limits or {})  # requests default to limits (core/v1 defaults)
    merged.update(res.requests or {})
    out: dict[str, int] = {}
    for k, v in merged.items():
        q = parse_quantity(v)
        out[k] = milli_value(q) if k == "cpu" else value(q)
    return out


def pod_requests(job: Job) -> dict[str, int]:
    """Effective pod requests (cpu in millicores, the rest in units): max(sum of containers and
    sidecars, each init container plus the sidecars before it), per resource; zero amounts are
    left out."""
    spec = job.spec.template.spec
    total: dict[str, int] = {}
    for c in spec.containers:
        for k, v in _requests(c).items():
            total[k] = total.get(k, 0) + v
    sidecars: dict[str, int] = {}  # the sidecars started so far
    init_peak: dict[str, int] = {}  # the most any init container needs while it runs
    for c in spec.initContainers or []:
        own = _requests(c)
        if c.restartPolicy == "Always":
            for k, v in own.items():
                total[k] = total.get(k, 0) + v
                sidecars[k] = sidecars.get(k, 0) + v
            need = dict(sidecars)
        else:
            need = {k: own.get(k, 0) + sidecars.get(k, 0) for k in {*own, *sidecars}}
        for k, v in need.items():
            init_peak[k] = max(init_peak.get(k, 0), v)
    for k, v in init_peak.items():
        total[k] = max(total.get(k, 0), v)
    return {k: v for k, v in total.items() if v}


__all__ = ["pod_requests"]
