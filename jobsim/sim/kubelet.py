"""The kubelets: pull images, start containers, report exits, restart in place, kill.

One object serves every node; each pod keeps its kubelet-local progress (``k_*`` fields). What
the API sees changes only through ``_publish``-style steps, which wait while the node is
unreachable and run, in order, when it reports again (upstream the status manager,
``pkg/kubelet/status/status_manager.go`` ``syncBatch``/``syncPod``, keeps retrying the update
until the API server takes it).

Upstream: ``pkg/kubelet`` (status manager, ``kuberuntime_manager.go: computePodActions`` and
``doBackOff``). Modelling choices where the real world varies: a container given SIGTERM exits
143 (128 + SIGTERM) after the workload's ``terminationDelay``, or 137 (SIGKILL) at the end of
the grace period if that is shorter (``pkg/kubelet/kuberuntime/kuberuntime_container.go``
``killContainer``: the runtime's ``StopContainer`` with the grace period as its timeout). A
deleted pod ends as its containers did: Succeeded when every container exited 0, Failed
otherwise (``pkg/kubelet/kubelet_pods.go`` ``getPhase`` with ``podIsTerminal``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from jobsim.distributions import Distribution
from jobsim.policy.crashloop import next_entry, restart_delay
from jobsim.record import Recorder
from jobsim.scenario import Timing
from jobsim.scenario.model import Kubelet
from jobsim.sim.engine import Clock, Prio
from jobsim.sim.jobs import JobRuntime, RunOutcome, add_restarts, set_ready, stream
from jobsim.sim.objects import FAILED, RUNNING, SUCCEEDED, Node, Pod

__all__ = ["Kubelets", "PodWatcher"]

SIGTERM_EXIT = 143
SIGKILL_EXIT = 137


class PodWatcher(Protocol):
    """Who hears about pod changes (the Job controller's pod informer)."""

    def pod_updated(self, pod: Pod) -> None: ...
    def pod_terminal(self, pod: Pod) -> None: ...


class Kubelets:
    """The kubelets of every node."""

    def __init__(
        self,
        clock: Clock,
        timing: Timing,
        recorder: Recorder,
        watcher: PodWatcher,
        outcome: Callable[[Pod], RunOutcome],
        release: Callable[[Pod], None],
        config: Kubelet | None = None,
        seed: int = 0,
    ) -> None:
        self.clock = clock
        self.timing = timing
        # read at every start: plain values (a pydantic field is a lookup by name, compiled)
        self._container_start = float(timing.containerStart)
        pull = timing.imagePull
        self._pulls: dict[str, float] = dict(pull) if isinstance(pull, dict) else {}
        self._pull_default = (
            self._pulls.get("default", 0.0) if isinstance(pull, dict) else float(pull)
        )
        self.recorder = recorder
        self.watcher = watcher
        self.outcome = outcome  # the pod's next run
        self.release = release
        self.config = config  # None: the ideal kubelet (parallel pulls, no sandbox)
        self.seed = seed
        self._streams: dict[str, object] = {}  # each node's stream, for the startup draws
        self._slots: dict[str, list[float]] = {}  # per node: when each pull slot is free
        # the kernel's callbacks at every pod's start and exit, bound once (compiled,
        # ``self._start`` as a value is a lookup by name and a new bound method)
        self._start_cb: Callable[[Pod], None] = self._start
        self._exited_cb: Callable[[Pod], None] = self._exited

    # -- start ---------------------------------------------------------------------------
    def bind(self, pod: Pod, node: Node) -> None:
        """The scheduler bound ``pod`` to ``node``: the kubelet picks it up."""
        if node.reachable:
            self._admit(pod)
        else:
            pod.k_unpublished = True

    def _admit(self, pod: Pod) -> None:
        now = self.clock.now
        node = pod.node
        assert node is not None
        if pod.deletion_ts is not None:
            self._finish_killed(pod)
            return
        # The kubelet's first status: Ready=False (ContainersNotReady).
        pod.ready_false_at = now
        if self.config is not None:
            pod.k_state = "starting"
            sandbox = self._draw(node, self.config.podSandbox)
            pod.k_call = self.clock.call(sandbox, Prio.KUBELET, self._pull_next, pod, 0)
            return
        ready_at = now
        for image, policy, key in pod.images:
            have = node.images.get(key)
            if have is None or policy == "Always":
                pull = self._image_pull(image)
                have = now + pull
                if policy != "Always" or key not in node.images:
                    node.images[key] = have
                if pull > 0:
                    self.clock.call_at(have, Prio.KUBELET, self._pulled, pod, image, pull)
            ready_at = max(ready_at, have)
        pod.k_state = "starting"
        pod.k_call = self.clock.call_at(
            ready_at + self._container_start, Prio.KUBELET, self._start_cb, pod
        )

    # -- the real kubelet's startup (``cluster.kubelet``) ----------------------------------
    def _draw(self, node: Node, dist: Distribution) -> float:
        """One draw from the node's own stream (keyed ``kubelet``, the node's name)."""
        rng = self._streams.get(node.name)
        if rng is None:
            rng = self._streams[node.name] = stream(self.seed, "kubelet", node.name)
        return dist.sample(rng)  # type: ignore[arg-type]

    def _image_pull(self, image: str) -> float:
        """``Timing.image_pull``, from the values the constructor read once."""
        return self._pulls.get(image, self._pull_default)

    def _pull_time(self, node: Node, image: str) -> float:
        cfg = self.config
        assert cfg is not None
        dist = cfg.imagePull
        if dist is None:
            return self._image_pull(image)
        if isinstance(dist, dict):
            chosen = dist.get(image, dist.get("default"))
            return 0.0 if chosen is None else self._draw(node, chosen)
        return self._draw(node, dist)

    def _pull_next(self, pod: Pod, i: int) -> None:
        """``SyncPod`` after the sandbox: each container's image in order
        (``EnsureImageExists``), a pull waiting for a free slot of the node's puller
        (``serialImagePuller``: one; ``parallelImagePuller``: ``maxParallelImagePulls``, or
        any number), then the containers start."""
        if not self._hears(pod):
            return
        node = pod.node
        cfg = self.config
        assert node is not None and cfg is not None
        now = self.clock.now
        while i < len(pod.images):
            image, policy, key = pod.images[i]
            i += 1
            have = node.images.get(key)
            if have is not None and policy != "Always":
                if have > now:  # being pulled for another pod: wait for it
                    pod.k_call = self.clock.call_at(have, Prio.KUBELET, self._pull_next, pod, i)
                    return
                continue
            pull = self._pull_time(node, image)
            start = self._pull_slot(node, cfg.pull_slots, pull)
            done = start + pull
            if have is None or done > have:
                node.images[key] = done
            if pull > 0:
                self.clock.call_at(done, Prio.KUBELET, self._pulled, pod, image, pull)
            if done > now:
                pod.k_call = self.clock.call_at(done, Prio.KUBELET, self._pull_next, pod, i)
                return
        start = self._container_start
        if cfg.containerStart is not None:
            start = self._draw(node, cfg.containerStart)
        pod.k_call = self.clock.call(start, Prio.KUBELET, self._start_cb, pod)

    def _pull_slot(self, node: Node, slots: int | None, pull: float) -> float:
        """When a pull requested now starts: at once with no limit, else when the earliest
        of the node's ``slots`` is free (pulls start in the order they are asked for)."""
        now = self.clock.now
        if slots is None:
            return now
        free = self._slots.get(node.name)
        if free is None:
            free = self._slots[node.name] = [now] * slots
        k = min(range(len(free)), key=free.__getitem__)
        start = max(free[k], now)
        free[k] = start + pull
        return start

    def _pulled(self, pod: Pod, image: str, seconds: float) -> None:
        self.recorder.image_pulled(self.clock.now, pod.name, image, seconds)

    def _start(self, pod: Pod) -> None:
        """Start (or restart) the container: one attempt of the work."""
        now = self.clock.now
        if not self._hears(pod):
            return
        out = self.outcome(pod)
        pod.k_state = "running"
        pod.k_outcome = out
        pod.k_kill_code = None
        pod.k_exit_at = now + out.run
        pod.k_call = self.clock.call(out.run, Prio.KUBELET, self._exited_cb, pod)
        pod.container_finished_at = None
        self.recorder.container_started(now, pod.name, pod.restart_count, pod.attempt or 0)
        if out.init_failure is not None:
            # An init container runs: the pod stays Pending and not Ready.
            self.watcher.pod_updated(pod)
            return
        pod.phase = RUNNING
        set_ready(pod, True)
        pod.ready_since = now
        pod.ready_false_at = None
        self.recorder.pod_phase(now, pod.name, RUNNING)
        self.watcher.pod_updated(pod)

    # -- exits ---------------------------------------------------------------------------
    def _exited(self, pod: Pod) -> None:
        """The container exited on its own (or after SIGTERM/SIGKILL)."""
        pod.k_state = "exited"
        pod.k_call = None
        node = pod.node
        assert node is not None
        if not node.reachable:
            pod.k_unpublished = True
            return
        self._report_exit(pod, pod.k_exit_at or self.clock.now)

    def _report_exit(self, pod: Pod, at: float) -> None:
        now = self.clock.now
        out: RunOutcome = pod.k_outcome
        kill = pod.k_kill_code
        if out.init_failure is not None:
            name, code = out.init_failure
            code = kill if kill is not None else code
            inits: list[tuple[str, int | None]] = []
            for n in pod.job.init_names:
                if n == name:
                    inits.append((n, code))
                    break
                inits.append((n, 0))
            pod.init_containers = tuple(inits)
            pod.containers = tuple((n, None) for n in pod.job.container_names)
            pod.container_finished_at = None
            failures = 1 if code != 0 else 0
        else:
            codes = out.codes if kill is None else tuple((n, kill) for n, _ in out.codes)
            job: JobRuntime = pod.job
            init_names = job.init_names
            pod.init_containers = tuple((n, 0) for n in init_names) if init_names else ()
            pod.containers = tuple(codes)
            pod.container_finished_at = at
            code = failures = 0
            for _, c in codes:  # the first non-zero code, and how many there are
                if c != 0:
                    failures += 1
                    code = code or c
        pod.exit_code = code
        if pod.ready:
            set_ready(pod, False)
            pod.ready_false_at = now
        self.recorder.container_exited(now, pod.name, code, at)
        if pod.deletion_ts is not None or failures == 0 or pod.restart_policy != "OnFailure":
            phase = SUCCEEDED if failures == 0 else FAILED
            self._set_terminal(pod, phase)
            return
        pod.k_restarts = failures
        # restartPolicy OnFailure: restart in place after the CrashLoopBackOff delay.
        delay = restart_delay(pod.crash_entry, at, self.timing.crashLoopBackoffReset / 2)
        wait = max(at + delay - now, 0.0)
        pod.k_state = "backoff"
        if wait > 0:
            self.recorder.container_restart_backoff(now, pod.name, wait)
        pod.k_call = self.clock.call(wait, Prio.KUBELET, self._restart, pod)
        self.watcher.pod_updated(pod)

    def _restart(self, pod: Pod) -> None:
        if not self._hears(pod):
            return
        now = self.clock.now
        finished = pod.container_finished_at if pod.container_finished_at is not None else now
        pod.crash_entry = next_entry(
            pod.crash_entry,
            finished,
            now,
            self.timing.crashLoopBackoffInitial,
            self.timing.crashLoopBackoffMax,
        )
        add_restarts(pod, pod.k_restarts)
        pod.k_state = "starting"
        self.watcher.pod_updated(pod)
        start = self._container_start
        cfg, node = self.config, pod.node
        if cfg is not None and cfg.containerStart is not None and node is not None:
            start = self._draw(node, cfg.containerStart)
        pod.k_call = self.clock.call(start, Prio.KUBELET, self._start_cb, pod)

    def _set_terminal(self, pod: Pod, phase: str) -> None:
        pod.phase = phase
        if pod.ready:
            set_ready(pod, False)
        pod.k_state = "done"
        self.recorder.pod_phase(self.clock.now, pod.name, phase)
        self.release(pod)
        self.watcher.pod_terminal(pod)

    # -- deletion ------------------------------------------------------------------------
    def kill(self, pod: Pod) -> None:
        """The pod got a deletionTimestamp: stop it gracefully (when the node can hear)."""
        node = pod.node
        if node is None or pod.terminal:
            return
        if not node.reachable:
            pod.k_unpublished = True
            return
        self._kill_now(pod)

    def _kill_now(self, pod: Pod) -> None:
        now = self.clock.now
        if pod.k_state == "running":
            delay, code = self._termination(pod)
            natural = (pod.k_exit_at or now) - now
            if natural <= delay:
                return  # it exits on its own first, with its own code (kubelet getPhase)
            if pod.k_call is not None:
                pod.k_call.cancel()
            pod.k_exit_at = now + delay
            pod.k_kill_code = code
            pod.k_call = self.clock.call(delay, Prio.KUBELET, self._exited_cb, pod)
            return
        if pod.k_state == "exited":
            self._report_exit(pod, pod.k_exit_at or now)
            return
        self._finish_killed(pod)

    def _termination(self, pod: Pod) -> tuple[float, int]:
        job: JobRuntime = pod.job
        delay = job.termination_delay
        if delay <= pod.grace:
            return delay, SIGTERM_EXIT
        return pod.grace, SIGKILL_EXIT

    def _finish_killed(self, pod: Pod) -> None:
        """A pod that had no running container (starting, in backoff, never admitted)."""
        if pod.k_call is not None:
            pod.k_call.cancel()
            pod.k_call = None
        self._set_terminal(pod, FAILED)

    # -- node comes back -----------------------------------------------------------------
    def node_reachable(self, node: Node) -> None:
        """The node reports again: publish what happened meanwhile, then act."""
        for pod in sorted(node.pods.values(), key=lambda p: p.uid):
            if not pod.k_unpublished:
                continue
            pod.k_unpublished = False
            if pod.k_state == "exited":
                self._report_exit(pod, pod.k_exit_at or self.clock.now)
            elif pod.deletion_ts is not None:
                self._kill_now(pod)
            elif pod.k_state == "new":
                self._admit(pod)
            elif pod.k_state == "starting":
                self._start(pod)
            elif pod.k_state == "backoff":
                self._restart(pod)

    def _hears(self, pod: Pod) -> bool:
        """Whether the pod's kubelet is there to act; if not, it acts when the node is back."""
        node = pod.node
        if node is not None and not node.reachable:
            pod.k_unpublished = True
            pod.k_call = None
            return False
        return True
