"""Hugepages in a Job's pod template, refused or accepted as the API server does (v1.36).

Upstream ``pkg/apis/core/validation/validation.go``: ``validateResourceRequirements`` (requests
equal to limits for a resource that cannot be overcommitted, ``IsOvercommitAllowed``; a
request needs a limit; "HugePages require cpu or memory", a ``field.Forbidden`` on the
``resources`` path) and ``validateResourceQuantityHugePageValue`` ("%s is not positive integer
multiple of %s", ``field.Invalid`` on the amount's key path, with ``Quantity.String()``);
``pkg/apis/core/helper/helpers.go``: ``IsHugePageResourceValueDivisible`` (the page size of
``HugePageSizeFromResourceName`` must parse, be positive and whole; ``Value()`` a multiple of
it) and ``HugePageSizeFromResourceName``. A new object is validated with
``AllowIndivisibleHugePagesValues: false`` (``pkg/api/pod``
``GetValidationOptionsFromPodSpecAndMeta``).
"""

from __future__ import annotations

from typing import Any

import pytest

from jobsim.k8s.job import Job
from jobsim.k8s.resources import pod_requests
from jobsim.scenario import decode_job

CTR = "spec.template.spec.containers[0].resources"
MIB = 1 << 20
NEED_CPU_OR_MEMORY = "Forbidden: HugePages require cpu or memory"


def manifest(resources: dict[str, Any], *, init: bool = False) -> dict[str, Any]:
    ctr = {"name": "c", "image": "busybox", "resources": resources}
    spec: dict[str, Any] = {"restartPolicy": "Never", "containers": [ctr]}
    if init:
        spec["containers"] = [{"name": "main", "image": "busybox"}]
        spec["initContainers"] = [ctr]
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "huge"},
        "spec": {"template": {"spec": spec}},
    }


def errors(resources: dict[str, Any], *, init: bool = False) -> list[str]:
    got = decode_job(manifest(resources, init=init))
    return [] if isinstance(got, Job) else got


@pytest.mark.parametrize(
    ("resources", "expected"),
    [
        pytest.param(
            {"limits": {"hugepages-2Mi": "4Mi", "memory": "1Gi"}},
            [],
            id="two-pages-with-memory",
        ),
        pytest.param(
            {"requests": {"hugepages-2Mi": "4Mi", "cpu": "1"}, "limits": {"hugepages-2Mi": "4Mi"}},
            [],
            id="request-equal-to-limit-cpu-on-the-other-side",
        ),
        pytest.param(
            {"limits": {"hugepages-2Mi": "0", "memory": "1Gi"}},
            [],
            id="zero-is-a-multiple",  # 0 % 2Mi == 0: IsHugePageResourceValueDivisible holds
        ),
        pytest.param(
            {"limits": {"hugepages-2M": "4M", "memory": "1Gi"}},
            [],
            id="decimal-page-size",  # 2M = 2,000,000 bytes; 4M is two pages
        ),
        pytest.param(
            {"limits": {"hugepages-2Mi": "3Mi", "memory": "1Gi"}},
            [
                f'{CTR}.limits[hugepages-2Mi]: Invalid value: "3Mi": 3Mi is not positive '
                "integer multiple of hugepages-2Mi"
            ],
            id="one-and-a-half-pages",
        ),
        pytest.param(
            # 2097152.5 bytes: Value() rounds up to 2097153, not a multiple of 2097152
            {"limits": {"hugepages-2Mi": "2097152.5", "memory": "1Gi"}},
            [
                f'{CTR}.limits[hugepages-2Mi]: Invalid value: "2097152500m": 2097152500m is not '
                "positive integer multiple of hugepages-2Mi"
            ],
            id="a-fraction-of-a-byte-over",
        ),
        pytest.param(
            {"limits": {"hugepages-foo": "2Mi", "memory": "1Gi"}},
            [
                f'{CTR}.limits[hugepages-foo]: Invalid value: "2Mi": 2Mi is not positive '
                "integer multiple of hugepages-foo"
            ],
            id="page-size-not-a-quantity",
        ),
        pytest.param(
            {"limits": {"hugepages-0": "2Mi", "memory": "1Gi"}},
            [
                f'{CTR}.limits[hugepages-0]: Invalid value: "2Mi": 2Mi is not positive '
                "integer multiple of hugepages-0"
            ],
            id="page-size-zero",
        ),
        pytest.param(
            {"limits": {"hugepages-1500m": "3", "memory": "1Gi"}},
            [
                f'{CTR}.limits[hugepages-1500m]: Invalid value: "3": 3 is not positive integer '
                "multiple of hugepages-1500m"
            ],
            id="page-size-not-whole",  # 1.5 bytes: MilliValue() % 1000 != 0
        ),
        pytest.param(
            {"limits": {"hugepages-2Mi": "4Mi"}},
            [f"{CTR}: {NEED_CPU_OR_MEMORY}"],
            id="limits-without-cpu-or-memory",
        ),
        pytest.param(
            {"requests": {"hugepages-2Mi": "4Mi", "ephemeral-storage": "1Gi"}},
            [
                f"{CTR}.limits: Required value: Limit must be set for non overcommitable resources",
                f"{CTR}: {NEED_CPU_OR_MEMORY}",
            ],
            id="a-request-without-limit-nor-cpu-or-memory",
        ),
        pytest.param(
            {
                "requests": {"hugepages-2Mi": "2Mi", "memory": "1Gi"},
                "limits": {"hugepages-2Mi": "4Mi", "memory": "1Gi"},
            },
            [f'{CTR}.requests: Invalid value: "2Mi": must be equal to hugepages-2Mi limit of 4Mi'],
            id="request-below-limit",  # IsOvercommitAllowed: native and not hugepages
        ),
        pytest.param(
            {
                "requests": {"hugepages-2Mi": "3Mi", "memory": "1Gi"},
                "limits": {"hugepages-2Mi": "4Mi", "memory": "1Gi"},
            },
            [
                f'{CTR}.requests: Invalid value: "3Mi": must be equal to hugepages-2Mi limit '
                "of 4Mi",
                f'{CTR}.requests[hugepages-2Mi]: Invalid value: "3Mi": 3Mi is not positive '
                "integer multiple of hugepages-2Mi",
            ],
            id="request-checked-against-limit-then-page-size",
        ),
    ],
)
def test_container_hugepages(resources: dict[str, Any], expected: list[str]) -> None:
    assert errors(resources) == expected


def test_init_containers_get_the_same_rules() -> None:
    path = "spec.template.spec.initContainers[0].resources"
    # upstream order: each amount in its loop, then the Forbidden on the whole requirements
    assert errors({"limits": {"hugepages-1Gi": "1536Mi"}}, init=True) == [
        f'{path}.limits[hugepages-1Gi]: Invalid value: "1536Mi": 1536Mi is not positive integer '
        "multiple of hugepages-1Gi",
        f"{path}: {NEED_CPU_OR_MEMORY}",
    ]


def test_a_limit_alone_is_the_pods_request() -> None:
    """A template's requests are not defaulted (``SetDefaults_Pod`` runs on Pods only), so a
    limit alone is valid; the pod made from it requests its limit, which the scheduler counts
    in bytes like a node's ``hugepages-2Mi`` capacity: 2 pages of 2 MiB."""
    job = decode_job(manifest({"limits": {"hugepages-2Mi": "4Mi", "memory": "1Gi"}}))
    assert isinstance(job, Job)
    assert pod_requests(job) == {"hugepages-2Mi": 4 * MIB, "memory": 1024 * MIB}
