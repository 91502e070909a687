"""The mutable objects of one run: nodes and pods (their API view and kubelet-local state)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from jobsim.k8s.conditions import (
    PHASE_FAILED,
    PHASE_PENDING,
    PHASE_RUNNING,
    PHASE_SUCCEEDED,
    TERMINAL_PHASES,
)

if TYPE_CHECKING:
    from jobsim.sim.engine import Call

__all__ = ["FAILED", "PENDING", "RUNNING", "SUCCEEDED", "Node", "Pod"]

PENDING: Final = PHASE_PENDING
RUNNING: Final = PHASE_RUNNING
SUCCEEDED: Final = PHASE_SUCCEEDED
FAILED: Final = PHASE_FAILED
TERMINAL = frozenset(TERMINAL_PHASES)


@dataclass(slots=True, eq=False, init=False)  # a compiled __init__ (mypyc runs a generated one)
class Node:
    """A node: allocatable resources, what is requested on it, and its health."""

    # Compiled, the fields lie in this order: what a pod's scheduling, start and end read of
    # its node first, together in as few cache lines as they fit (a cluster of 10,000 nodes
    # is far larger than a core's cache), the rest after.
    seq: int
    ready: bool  # the node lifecycle controller's view
    cordoned: bool  # spec.unschedulable
    removed: bool  # the Node object is deleted
    reachable: bool  # the kubelet reports
    # (key, value, effect): a new tuple when one is added (the pool's nodes share theirs)
    taints: tuple[tuple[str, str, str], ...]
    # what the scheduler's filter and scores read of capacity and requested, as numbers
    cap_cpu: int  # millicores
    cap_mem: int  # bytes
    cap_pods: int
    req_cpu: int
    req_mem: int
    req_pods: int
    score_cpu: int  # non-zero cpu requests, for scoring (upstream GetNonzeroRequests)
    score_mem: int
    pods: dict[int, Pod]
    images: dict[str, float]  # normalised image -> time present
    name: str
    pool: str
    capacity: dict[str, int]  # the pool's, shared by its nodes: read only
    labels: dict[str, str]
    # what its pods request of other resources (see ``requested``); None until a pod asks
    extended: dict[str, int] | None
    out_of_service: bool  # node.kubernetes.io/out-of-service taint
    created_at: float
    idle_call: Call | None  # autoscaler scale-down timer
    nominated: dict[int, Pod] | None  # preemptors waiting for it (None: none yet)
    not_ready_call: Call | None

    def __init__(
        self,
        name: str,
        seq: int,
        pool: str,
        capacity: dict[str, int],
        labels: dict[str, str],
        taints: tuple[tuple[str, str, str], ...],
        created_at: float = 0.0,
    ) -> None:
        """A new, empty, Ready node."""
        self.name = name
        self.seq = seq
        self.pool = pool
        self.capacity = capacity
        self.labels = labels
        self.taints = taints
        self.extended = None
        self.cap_cpu = capacity.get("cpu", 0)
        self.cap_mem = capacity.get("memory", 0)
        self.cap_pods = capacity.get("pods", 0)
        self.req_cpu = 0
        self.req_mem = 0
        self.req_pods = 0
        self.score_cpu = 0
        self.score_mem = 0
        self.pods = {}
        self.reachable = True
        self.ready = True
        self.cordoned = False
        self.removed = False
        self.out_of_service = False
        self.created_at = created_at
        self.idle_call = None
        self.nominated = None
        self.not_ready_call = None
        self.images = {}

    @property
    def requested(self) -> dict[str, int]:
        """What the pods bound to it request, by resource, ``"pods"`` their number: a new
        dict from the numbers the scheduler keeps (cpu, memory and pods are never keys of
        ``extended``, which holds only the other resources a pod asked for)."""
        extended = self.extended or {}
        return {"cpu": self.req_cpu, "memory": self.req_mem, **extended, "pods": self.req_pods}


@dataclass(slots=True, eq=False, init=False)  # a compiled __init__ (mypyc runs a generated one)
class Pod:
    """A pod: the fields the API shows, and the kubelet's own progress."""

    uid: int
    name: str
    job: Any  # sim.controller.JobRuntime
    index: int | None
    created_at: float
    requests: dict[str, int]
    grace: float
    restart_policy: str
    images: tuple[tuple[str, str, str], ...]  # (image, pullPolicy, normalised name)
    priority: int
    preempts: bool  # preemptionPolicy PreemptLowerPriority
    nominated: Node | None  # status.nominatedNodeName
    failure_count: int
    ignored_failure_count: int
    # API view
    node: Node | None
    phase: str
    ready: bool
    ready_since: float | None  # Ready=True lastTransitionTime
    ready_false_at: float | None  # Ready=False lastTransitionTime (None: no condition)
    deletion_ts: float | None
    tracked: bool  # holds the batch.kubernetes.io/job-tracking finalizer
    restart_count: int
    exit_code: int | None
    container_finished_at: float | None  # when every regular container terminated
    containers: tuple[tuple[str, int | None], ...]  # (name, exit code or None if not)
    init_containers: tuple[tuple[str, int | None], ...]
    conditions: dict[str, tuple[str, str, str, float]]
    attempt: int | None
    removed: bool
    # kubelet-local
    k_state: str  # new, starting, running, backoff, exited, killed
    k_call: Call | None
    k_exit_at: float | None  # when the running container exits on its own
    k_outcome: Any  # sim.jobs.RunOutcome of the current run
    k_kill_code: int | None  # 143 or 137 when the run ends by SIGTERM/SIGKILL
    k_restarts: int  # containers the next in-place restart starts again
    k_unpublished: bool  # changes the API has not seen (node unreachable)
    crash_entry: Any  # policy.crashloop.CrashLoopEntry | None

    def __init__(
        self,
        uid: int,
        name: str,
        job: Any,
        index: int | None,
        created_at: float,
        requests: dict[str, int],
        grace: float,
        restart_policy: str,
        images: tuple[tuple[str, str, str], ...],
        priority: int = 0,
        preempts: bool = True,
    ) -> None:
        """A new pod, Pending, not yet seen by a kubelet."""
        self.uid = uid
        self.name = name
        self.job = job
        self.index = index
        self.created_at = created_at
        self.requests = requests
        self.grace = grace
        self.restart_policy = restart_policy
        self.images = images
        self.priority = priority
        self.preempts = preempts
        self.nominated = None
        self.failure_count = 0
        self.ignored_failure_count = 0
        self.node = None
        self.phase = PENDING
        self.ready = False
        self.ready_since = None
        self.ready_false_at = None
        self.deletion_ts = None
        self.tracked = True
        self.restart_count = 0
        self.exit_code = None
        self.container_finished_at = None
        self.containers = ()
        self.init_containers = ()
        self.conditions = {}
        self.attempt = None
        self.removed = False
        self.k_state = "new"
        self.k_call = None
        self.k_exit_at = None
        self.k_outcome = None
        self.k_kill_code = None
        self.k_restarts = 1
        self.k_unpublished = False
        self.crash_entry = None

    @property
    def terminal(self) -> bool:
        """Phase Succeeded or Failed."""
        return self.phase in TERMINAL
