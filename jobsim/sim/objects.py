"""The mutable objects of one run: nodes and pods (their API view and kubelet-local state)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

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

PENDING = PHASE_PENDING
RUNNING = PHASE_RUNNING
SUCCEEDED = PHASE_SUCCEEDED
FAILED = PHASE_FAILED
TERMINAL = frozenset(TERMINAL_PHASES)


@dataclass(slots=True, eq=False)
class Node:
    """A node: allocatable resources, what is requested on it, and its health."""

    name: str
    seq: int
    pool: str
    capacity: dict[str, int]
    labels: dict[str, str]
    taints: list[tuple[str, str, str]]  # (key, value, effect)
    requested: dict[str, int] = field(default_factory=dict)
    score_cpu: int = 0  # non-zero cpu requests, for scoring (upstream GetNonzeroRequests)
    score_mem: int = 0
    pods: dict[int, Pod] = field(default_factory=dict)
    reachable: bool = True  # the kubelet reports
    ready: bool = True  # the node lifecycle controller's view
    cordoned: bool = False  # spec.unschedulable
    removed: bool = False  # the Node object is deleted
    out_of_service: bool = False  # node.kubernetes.io/out-of-service taint
    created_at: float = 0.0
    idle_call: Call | None = None  # autoscaler scale-down timer
    nominated: dict[int, Pod] = field(default_factory=dict)  # preemptors waiting for it
    not_ready_call: Call | None = None
    images: dict[str, float] = field(default_factory=dict)  # normalised image -> time present


@dataclass(slots=True, eq=False)
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
    priority: int = 0
    preempts: bool = True  # preemptionPolicy PreemptLowerPriority
    nominated: Node | None = None  # status.nominatedNodeName
    failure_count: int = 0
    ignored_failure_count: int = 0
    # API view
    node: Node | None = None
    phase: str = PENDING
    ready: bool = False
    ready_since: float | None = None  # Ready=True lastTransitionTime
    ready_false_at: float | None = None  # Ready=False lastTransitionTime (None: no condition)
    deletion_ts: float | None = None
    tracked: bool = True  # holds the batch.kubernetes.io/job-tracking finalizer
    restart_count: int = 0
    exit_code: int | None = None
    container_finished_at: float | None = None  # when every regular container terminated
    containers: tuple[tuple[str, int | None], ...] = ()  # (name, exit code or None if not)
    init_containers: tuple[tuple[str, int | None], ...] = ()
    conditions: dict[str, tuple[str, str, str, float]] = field(default_factory=dict)
    attempt: int | None = None
    removed: bool = False
    # kubelet-local
    k_state: str = "new"  # new, starting, running, backoff, exited, killed
    k_call: Call | None = None
    k_exit_at: float | None = None  # when the running container exits on its own
    k_outcome: Any = None  # sim.jobs.RunOutcome of the current run
    k_kill_code: int | None = None  # 143 or 137 when the run ends by SIGTERM/SIGKILL
    k_restarts: int = 1  # containers the next in-place restart starts again
    k_unpublished: bool = False  # changes the API has not seen (node unreachable)
    crash_entry: Any = None  # policy.crashloop.CrashLoopEntry | None

    @property
    def terminal(self) -> bool:
        """Phase Succeeded or Failed."""
        return self.phase in TERMINAL
