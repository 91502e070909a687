"""One run of a scenario: builds the cluster and controllers, injects events, runs the kernel.

This module plays the API server: it creates and deletes pods and tells the informers. A
DELETE takes effect on the node through the kubelet at the same instant but after the caller
is done (a ``Prio.KUBELET`` call), so a controller never sees its own deletions complete
within one sync.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from jobsim.k8s.conditions import DISRUPTION_TARGET
from jobsim.k8s.cronjob import SCHEDULED_TIMESTAMP_ANNOTATION, CronJob, job_manifest
from jobsim.k8s.defaults import JOB_CONTROLLER_NAME, set_defaults
from jobsim.k8s.job import Job
from jobsim.policy.cron import scheduled_timestamp
from jobsim.policy.image_locality import normalized_image_name
from jobsim.record import CRONJOB_DELETE, CRONJOB_MANUAL_JOB, CRONJOB_UPDATED, Recorder
from jobsim.scenario.changes import changed_spec
from jobsim.scenario.loader import manual_job, patch_cronjob
from jobsim.scenario.model import (
    CRONJOB_EVENT_KINDS,
    HOSTNAME_LABEL,
    SPEC_EVENT_KINDS,
    SYSTEM_PRIORITY_CLASSES,
    Event,
    JobEntry,
    NodePool,
    Scenario,
    event_job_ref,
)
from jobsim.sim.autoscaler import Autoscaler
from jobsim.sim.controller import JobController
from jobsim.sim.cronjob import CronJobController, CronJobRuntime
from jobsim.sim.disruption import Budgets
from jobsim.sim.engine import STALL_LIMIT, Clock, Prio, Stalled
from jobsim.sim.jobs import JobRuntime, RunOutcome, set_ready, stream
from jobsim.sim.kubelet import Kubelets
from jobsim.sim.nodes import NodeFailures, NodeLifecycle
from jobsim.sim.objects import FAILED, Node, Pod
from jobsim.sim.scheduler import Scheduler
from jobsim.sim.stuck import RunStuck, never_fits, repeating, zero_delays


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic collection inside: the objects made live until the run ends anyway, and the
    collector's scans of ever more live objects made big runs superlinear."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _spec_changes(old: CronJob, new: CronJob) -> str:
    """The fields of a CronJob's spec an update changed, in words ("" if none)."""
    before = old.spec.model_dump(mode="json")
    after = new.spec.model_dump(mode="json")
    words = []
    for key in before:
        if before[key] == after[key]:
            continue
        if key == "jobTemplate":
            words.append("jobTemplate changed")
        else:
            a, b = before[key], after[key]
            words.append(f"{key} {_word(a)} -> {_word(b)}")
    return ", ".join(words)


def _word(v: Any) -> str:
    """A spec value as kubectl prints it in a message: booleans lower-case, null as <none>."""
    if v is None:
        return "<none>"
    if isinstance(v, bool):
        return str(v).lower()
    return repr(v) if isinstance(v, str) else str(v)


class _PoolShape:
    """What every node of a pool has, read from the pool's model once (a field read or a
    method call of a pydantic model is a lookup by name, per node)."""

    __slots__ = ("images", "labels", "name", "named", "recorded", "taints", "units")

    def __init__(self, pool: NodePool) -> None:
        self.name = str(pool.name)
        self.units = pool.allocatable()
        self.recorded = dict(self.units)  # the capacity its NodeRecords share (not the Nodes')
        self.labels = pool.node_labels("")  # the hostname is each node's own
        self.named = HOSTNAME_LABEL in pool.labels  # unless the pool's labels set it
        self.taints = tuple((t.key, t.value, t.effect) for t in pool.taints)  # shared: immutable
        self.images = [normalized_image_name(image) for image in pool.images]


class Simulation:
    """The model of one run. Nothing here prints, opens files or reads the wall clock."""

    def __init__(self, scenario: Scenario, recorder: Recorder, seed: int | None = None) -> None:
        self.scenario = scenario
        self.seed = scenario.seed if seed is None else seed
        self.recorder = recorder
        self.clock = Clock(STALL_LIMIT + 20 * sum(_pods_at_once(e.job) for e in scenario.jobs))
        self.timing = scenario.timing
        self.nodes: list[Node] = []
        self.node_by_name: dict[str, Node] = {}
        self._pool_shapes: dict[str, _PoolShape] = {}  # by pool name
        self._uid = 0
        self._unsubmitted = len(scenario.jobs)
        self._events_left = len(scenario.events)
        self._never_fits = never_fits(scenario)
        self.controller = JobController(
            self.clock,
            self.timing,
            recorder,
            self._create_pod,
            self.delete_pod,
            self._pod_gone,
            self._job_finished,
            scenario.wallClock,
        )
        self.kubelets = Kubelets(
            self.clock,
            self.timing,
            recorder,
            self.controller,
            self._outcome,
            self._release,
            scenario.cluster.kubelet,
            self.seed,
        )
        self.scheduler = Scheduler(
            self.clock,
            self.nodes,
            recorder,
            self.timing.scheduling,
            self._bind,
            scenario.cluster.scoring,
            scenario.cluster.image_sizes(),
            scenario.cluster.scheduler,
            scenario.gates.SchedulerPopFromBackoffQ,
        )
        self.scheduler.evict = self.disrupt
        self.lifecycle = NodeLifecycle(
            self.clock,
            self.timing,
            recorder,
            self.kubelets,
            self.scheduler,
            self.disrupt,
            self.controller.pod_updated,
            self._force_fail,
            Budgets(scenario.podDisruptionBudgets, self._namespace_pods),
            scenario.cluster.nodeLifecycle,
        )
        self.autoscaler = Autoscaler(
            self.clock,
            recorder,
            self.scheduler,
            self._new_node,
            self._remove_node,
            self.work_left,
            self.seed,
            scenario.cluster.autoscaler,
            self.lifecycle.evict,
        )
        self.scheduler.on_unschedulable = self.autoscaler.pod_unschedulable
        for pool in scenario.cluster.nodePools:
            shape = self._shape(pool)
            with _gc_paused():  # a pool of 100,000 nodes: no collector passes while it grows
                created = [self._add_node(shape, i, True) for i in range(pool.count)]
            if pool.autoscaling is not None:
                self.autoscaler.add_pool(pool, pool.allocatable(), created)
        self.failures = [
            NodeFailures(
                self.clock,
                self.lifecycle,
                node,
                pool.failures.mtbf,
                pool.failures.mttr,
                stream(self.seed, "node", node.name),
                self.can_progress,
            )
            for pool in scenario.cluster.nodePools
            if pool.failures is not None
            for node in self.nodes
            if node.pool == pool.name
        ]
        classes = {pc.name: pc for pc in scenario.cluster.priorityClasses}
        default = next((pc for pc in scenario.cluster.priorityClasses if pc.globalDefault), None)
        self.jobs: dict[str, JobRuntime] = {}
        self._submitted: set[str] = set()
        arrivals: dict[int, list[float]] = {}
        gates = scenario.gates
        # Jobs a deleteJob event names keep their pods, for the garbage collector to delete
        doomed = {scenario.resolve_job(ev.deleteJob.job) for ev in scenario.events if ev.deleteJob}
        for entry in scenario.jobs:
            manifest, key = entry.job, entry.key
            submit_at = self._submit_time(entry, arrivals)
            job = JobRuntime(
                key=key,
                job=manifest,
                workload=entry.workload,
                rng=stream(self.seed, "job", key),
                names=stream(self.seed, "names", key),
                submitted_at=submit_at,
                gates=gates,
            )
            job.keeps_pods = manifest.spec.ttlSecondsAfterFinished is not None or key in doomed
            self._set_priority(job, classes, default)
            self.jobs[key] = job
            self.clock.call(submit_at, Prio.EXTERNAL, self._submit, job)
        self._classes, self._default_class = classes, default
        self.cronjobs: dict[str, CronJobRuntime] = {}
        self._cron_entries: dict[str, JobEntry] = {}
        self.cron = CronJobController(
            self.clock, recorder, scenario.wallClock, self._create_cron_job, self._delete_job
        )
        for entry in scenario.cronjobs:
            cj = entry.cronjob
            assert cj is not None
            key = f"{cj.metadata.namespace}/{cj.metadata.name}"
            self._cron_entries[key] = entry
            self.clock.call(entry.submitAt, Prio.EXTERNAL, self._create_cronjob, key, cj)
        for ev in scenario.events:
            self.clock.call(ev.at, Prio.EXTERNAL, self._inject, ev)

    @staticmethod
    def _set_priority(job: JobRuntime, classes: dict[str, Any], default: Any) -> None:
        """The priority of the Job's pods, from its template's PriorityClass."""
        pc_name = job.job.spec.template.spec.priorityClassName
        pc = classes.get(pc_name) if pc_name else default
        if pc is not None:
            job.priority, job.preempts = pc.value, pc.preemptionPolicy != "Never"
        elif pc_name in SYSTEM_PRIORITY_CLASSES:
            job.priority = SYSTEM_PRIORITY_CLASSES[pc_name]

    # -- cronjobs --------------------------------------------------------------------------
    def _create_cronjob(self, key: str, cj: CronJob) -> None:
        """The CronJob is created: the controller's informer syncs it at once."""
        now = self.clock.now
        spec = cj.spec
        words = f"schedule {spec.schedule!r}" + (
            f" in {spec.timeZone}" if spec.timeZone is not None else ""
        )
        self.recorder.cronjob_created(
            now, key, str(cj.metadata.name), str(cj.metadata.namespace), words
        )
        runtime = CronJobRuntime(key, cj, now)
        self.cronjobs[key] = runtime
        self.cron.enqueue(runtime)

    def _create_cron_job(
        self, cj: CronJobRuntime, name: str, scheduled: float
    ) -> tuple[JobRuntime, bool] | None:
        """The API server's create of a CronJob's Job (``getJobFromTemplate2``): defaulted
        as any Job, submitted now, and True. A Job of that name exists (AlreadyExists): the
        existing one and False if its CronJob controls it, else None."""
        namespace = str(cj.cronjob.metadata.namespace)
        key = f"{namespace}/{name}"
        if key in self.jobs:
            existing = self.jobs[key]
            return (existing, False) if self.cron.by_job.get(key) is cj else None
        annotation = scheduled_timestamp(scheduled, cj.cronjob.spec.timeZone)
        manifest = job_manifest(cj.cronjob, name, {SCHEDULED_TIMESTAMP_ANNOTATION: annotation})
        job = self._new_cron_job(cj, set_defaults(Job.model_validate(manifest)), cj.made)
        return job, True

    def _new_cron_job(self, cj: CronJobRuntime, manifest: Job, cron_run: int) -> JobRuntime:
        """A Job its CronJob controls, on the CronJob entry's workload, submitted now."""
        key = f"{manifest.metadata.namespace}/{manifest.metadata.name}"
        entry = self._cron_entries[cj.key]
        job = JobRuntime(
            key=key,
            job=manifest,
            workload=entry.workload,
            rng=stream(self.seed, "job", key),
            names=stream(self.seed, "names", key),
            submitted_at=self.clock.now,
            gates=self.scenario.gates,
            cron_run=cron_run,
        )
        job.keeps_pods = True  # its CronJob may delete it: the garbage collector, its pods
        self._set_priority(job, self._classes, self._default_class)
        self.jobs[key] = job
        self._unsubmitted += 1
        self._submit(job)
        self.recorder.job_owned(key, cj.key)
        return job

    def _kubectl_create_job(self, cj: CronJobRuntime, name: str) -> None:
        """``kubectl create job NAME --from=cronjob/…``: a Job from the CronJob's template
        as it is now, controlled by the CronJob (it reconciles it: ``getJobsToBeReconciled``
        matches the controller reference) but not in its ``status.active``; the Job
        informer's ``addJob`` syncs the CronJob at once. Its workload is the CronJob entry's;
        no ``cronRun`` script entry matches it."""
        namespace = str(cj.cronjob.metadata.namespace)
        key = f"{namespace}/{name}"
        if key in self.jobs:
            # a Job of that name, or one that had it (jobsim keeps one record per name)
            why = (
                f'createJob: jobs.batch "{name}" already exists'
                if not self.jobs[key].deleted
                else f"createJob: a Job named {name} was deleted earlier in the run, and "
                "jobsim keeps one Job per name in a run"
            )
            self.recorder.event_ignored(self.clock.now, key, why)
            return
        manifest = manual_job(cj.cronjob, name, self.scenario.gates)
        assert not isinstance(manifest, list)  # checked at load
        how = f"kubectl create job {name} --from=cronjob/{cj.name}"
        self.recorder.cronjob_event(self.clock.now, cj.key, CRONJOB_MANUAL_JOB, how, False)
        job = self._new_cron_job(cj, manifest, -1)
        self.cron.adopt(cj, job)

    def _delete_job(self, job: JobRuntime, why: str) -> None:
        """The CronJob controller's DELETE of one of its Jobs (``deleteJob``: history limit,
        Replace), with Background propagation, as ``kubectl delete job`` does it."""
        if not job.deleted:
            self._kubectl_delete_job(job, "Background", f"{CRONJOB_DELETE}: {why}")

    def _submit_time(self, entry: JobEntry, arrivals: dict[int, list[float]]) -> float:
        """When the entry's Job is submitted: ``submitAt``, or its replica's arrival.

        The times of a group are computed once, all ``count`` in replica order; random ones
        from the group's own stream (keyed by the entry's ``namespace/name`` as written), so
        they depend on the seed and nothing else in the scenario.
        """
        replica, arrival = entry.replica, entry.arrival
        if replica is None or arrival is None:
            return entry.submitAt
        times = arrivals.get(entry.source)
        if times is None:
            # An entry without replicas has a stream of its own, apart from a group that may
            # share its name.
            tags = (
                ("arrival", replica.group)
                if entry.replicas is not None
                else (
                    "arrival-single",
                    replica.group,
                )
            )
            rng = stream(self.seed, *tags) if arrival.random else None
            offsets = arrival.offsets(replica.count, rng)
            times = arrivals[entry.source] = [entry.submitAt + o for o in offsets]
        return times[replica.index]

    def _shape(self, pool: NodePool) -> _PoolShape:
        shape = self._pool_shapes.get(pool.name)
        if shape is None:
            shape = self._pool_shapes[pool.name] = _PoolShape(pool)
        return shape

    def _new_node(self, pool: NodePool, number: int) -> Node:
        """The autoscaler's new node ``<pool>-<number>`` (it joins through
        ``Scheduler.add_node``)."""
        return self._add_node(self._shape(pool), number, False)

    def _add_node(self, shape: _PoolShape, number: int, initial: bool) -> Node:
        """Make node ``<pool>-<number>``; an initial one is listed here."""
        name = f"{shape.name}-{number}"
        labels = dict(shape.labels)
        if not shape.named:
            labels[HOSTNAME_LABEL] = name  # in its place: the first of the well-known labels
        node = Node(
            name,
            len(self.nodes),
            shape.name,
            shape.units,  # read only: the pool's nodes share it
            labels,
            shape.taints,
            created_at=self.clock.now,
        )
        for image in shape.images:  # preloaded: present from the start
            node.images[image] = self.clock.now
        self.node_by_name[name] = node
        if initial:
            self.nodes.append(node)
        self.recorder.node_added(self.clock.now, name, shape.name, shape.recorded)
        return node

    def _namespace_pods(self, namespace: str) -> Iterator[Pod]:
        """The live pods of a namespace (what a PodDisruptionBudget's selector can match)."""
        for job in self.jobs.values():
            if job.namespace == namespace:
                yield from job.active.values()

    def _remove_node(self, node: Node) -> None:
        self.lifecycle.node_remove(node)

    def work_left(self) -> bool:
        """Whether some Job is still to be submitted or still running."""
        return self._unsubmitted > 0 or any(
            not (j.finished or j.deleted or j.inert) for j in self.jobs.values()
        )

    def can_progress(self) -> bool:
        """Whether anything but random node failures could still change a Job: a Job or an
        outside event still to come, or a Job left that is neither suspended with no pod left
        nor made of pods that fit no node (quiescence: random failures stop once it is False)."""
        return (
            self._unsubmitted > 0
            or self._events_left > 0
            or any(not cj.cronjob.spec.suspend for cj in self.cronjobs.values())
            or len(self.cronjobs) < len(self.scenario.cronjobs)
            or any(
                not (
                    j.finished
                    or j.deleted
                    or j.inert
                    or (j.suspended and not j.active and not j.terminating)
                    or j.key in self._never_fits
                )
                for j in self.jobs.values()
            )
        )

    def end(self, limit: float) -> float:
        """The run's end after it stopped at ``limit``: ``limit`` when it was cut there (calls
        left to run and a Job that could still change), else the time of the last event
        recorded (of the last call run, for a recorder that keeps no events)."""
        if self.can_progress() and self.clock.pending():
            return limit
        t = self.recorder.t
        return t[-1] if len(t) else self.clock.last

    def run(self, until: float | None = None) -> None:
        """Run until nothing is left to happen (or until ``until``); :class:`RunStuck` when
        virtual time stops advancing."""
        if until is not None and until <= self.clock.now:
            return  # nothing can happen before it (``Clock.run`` refuses such an ``until``)
        try:
            with _gc_paused():
                self.clock.run(until)
        except Stalled as e:
            raise RunStuck(
                e.now, e.calls, zero_delays(self.scenario), repeating(self.recorder)
            ) from None

    # -- jobs ----------------------------------------------------------------------------
    def _submit(self, job: JobRuntime) -> None:
        now = self.clock.now
        self._unsubmitted -= 1
        self._submitted.add(job.key)
        self.recorder.job_submitted(
            now, job.key, job.name, job.namespace, job.spec_numbers(), dict(job.requests)
        )
        managed_by = job.spec.managedBy
        if managed_by is not None and managed_by != JOB_CONTROLLER_NAME:
            job.inert = True
            self.recorder.job_skipped(now, job.key, managed_by)
            return
        self.recorder.job_status(now, job.key, job.status)
        self.controller.job_added(job)

    def _inject(self, ev: Event) -> None:
        self._events_left -= 1
        kind = ev.kind
        node_actions = {
            "nodeDown": self.lifecycle.node_down,
            "nodeUp": self.lifecycle.node_up,
            "nodeRemove": self.lifecycle.node_remove,
            "nodeOutOfService": self.lifecycle.node_out_of_service,
            "drain": self.lifecycle.drain,
            "uncordon": self.lifecycle.uncordon,
        }
        if kind in node_actions:
            node_actions[kind](self.node_by_name[str(getattr(ev, kind))])
            return
        ref = event_job_ref(ev)
        if kind in CRONJOB_EVENT_KINDS or self.scenario.resolve_cronjob(ref) is not None:
            self._cronjob_event(ev)
            return
        job = self.job(ref)
        if job.key not in self._submitted:
            # Only a Job with a random arrival can get here (the loader refuses the others):
            # the API server would answer NotFound.
            self.recorder.event_ignored(
                self.clock.now, job.key, f"{kind}: the Job does not exist yet"
            )
        elif job.deleted or (job.deleting is not None and kind == "deleteJob"):
            gone = "was deleted" if job.deleted else "is being deleted"
            self.recorder.event_ignored(self.clock.now, job.key, f"{kind}: the Job {gone}")
        elif kind in SPEC_EVENT_KINDS:
            self._update_job(job, ev)
        elif ev.deleteJob is not None:
            self._kubectl_delete_job(job, ev.deleteJob.propagationPolicy)
        else:  # deletePod: the only other kind the Event model allows
            assert ev.deletePod is not None
            self._kubectl_delete_pod(job, ev.deletePod.index)

    def _update_job(self, job: JobRuntime, ev: Event) -> None:
        """A spec update (validated at load time): new generation, immediate sync."""
        now = self.clock.now
        if job.deleted:
            self.recorder.event_ignored(now, job.key, f"{ev.kind}: the Job was deleted")
            return
        new = changed_spec(job.job, ev)
        old = job.spec
        changes = [
            f"{f} {getattr(old, f)} -> {getattr(new.spec, f)}"
            for f in ("suspend", "parallelism", "completions")
            if getattr(old, f) != getattr(new.spec, f)
        ]
        job.apply_spec(new)
        change = ", ".join(changes) or "no change"
        self.recorder.job_spec_changed(now, job.key, change, job.spec_numbers())
        if job.finished:
            return  # updateJob of a finished Job does not sync it
        self.controller.job_spec_changed(job)

    def _cronjob_event(self, ev: Event) -> None:
        """An outside event about a CronJob: ``suspend``/``resume`` (``spec.suspend``) and
        ``patchCronJob`` update it (the informer's ``updateCronJob``); ``createJob`` makes
        a Job from it."""
        ref = event_job_ref(ev)
        cj = next(c for c in self.cronjobs.values() if ref in (c.key, c.name))
        if ev.createJob is not None:
            self._kubectl_create_job(cj, ev.createJob.name)
            return
        if ev.patchCronJob is not None:
            new = patch_cronjob(cj.cronjob, ev.patchCronJob.spec, self.scenario.gates)
            assert not isinstance(new, list)  # checked at load
        else:
            spec = cj.cronjob.spec.model_copy(update={"suspend": ev.kind == "suspend"})
            new = cj.cronjob.model_copy(update={"spec": spec})
        changes = _spec_changes(cj.cronjob, new)
        if not changes:  # nothing changed: no write, no watch event
            self.recorder.event_ignored(self.clock.now, cj.key, f"{ev.kind}: no change", "CronJob")
            return
        self.recorder.cronjob_event(self.clock.now, cj.key, CRONJOB_UPDATED, changes, False)
        self.cron.update(cj, new)

    def _kubectl_delete_pod(self, job: JobRuntime, index: int | None) -> None:
        """``kubectl delete pod`` of the oldest active pod of the Job (or of one index)."""
        candidates = [p for p in job.active.values() if index is None or p.index == index]
        if not candidates:
            what = "pod" if index is None else f"pod of index {index}"
            self.recorder.event_ignored(self.clock.now, job.key, f"deletePod: no active {what}")
            return
        self.delete_pod(min(candidates, key=lambda p: p.uid), "kubectl delete pod", "user")

    def _kubectl_delete_job(self, job: JobRuntime, policy: str, how: str = "") -> None:
        """``kubectl delete job --cascade=<policy>``, then the garbage collector
        (``pkg/controller/garbagecollector``) and the Job controller's part:

        - Background: the Job object goes at once (it has no finalizer); the garbage collector
          then deletes its pods (a graceful DELETE each) and the Job controller removes their
          tracking finalizers, as it does for any pod whose Job is gone (``syncOrphanPod``):
          none is counted.
        - Foreground: the Job gets a deletionTimestamp and the ``foregroundDeletion``
          finalizer (``markAsDeleting`` bumps its generation: an immediate sync, which creates
          no pod and removes every tracking finalizer); the garbage collector deletes its pods
          (they block their owner's deletion: ``blockOwnerDeletion``), and removes the
          finalizer once the last pod object is gone: then the Job goes.
        - Orphan: the garbage collector removes the pods' ownerReferences, then the Job; the
          pods run on without an owner, their tracking finalizers removed (``syncOrphanPod``).
        """
        now = self.clock.now
        how = how or f"kubectl delete job, propagationPolicy {policy}"
        if policy == "Foreground":
            job.deleting = now
            self.recorder.job_deleting(now, job.key, how)
            self._collect_pods(job)
            if not (job.finished or job.inert):  # a finished Job's pods hold no finalizer
                self.controller.job_spec_changed(job)
            if not job.deleted and all(p.removed for p in job.pods):  # no pod to wait for
                self._job_gone(job, how)
            return
        self._job_gone(job, how)
        for pod in job.pods:  # the Job controller's cleanup of pods without a Job
            if pod.tracked and not pod.removed:
                pod.tracked = False
                job.finished_tracked.pop(pod.uid, None)
                if pod.terminal and pod.deletion_ts is not None:
                    self._pod_gone(pod)
        if policy == "Background":
            self._collect_pods(job)

    def _collect_pods(self, job: JobRuntime) -> None:
        """The garbage collector's DELETE of each pod of the Job not yet being deleted; a
        finished pod without the tracking finalizer is gone at once."""
        now = self.clock.now
        for pod in job.pods:
            if pod.removed or pod.deletion_ts is not None:
                continue
            if not pod.terminal:
                self.delete_pod(pod, "garbage collector", "its Job is deleted")
                continue
            pod.deletion_ts = now
            self.recorder.pod_deleted(now, pod.name, "garbage collector", False)
            if not pod.tracked:
                self._pod_gone(pod)

    def _job_gone(self, job: JobRuntime, how: str) -> None:
        job.deleted = True
        self.controller.forget(job)
        self.recorder.job_deleted(self.clock.now, job.key, how)
        self.cron.job_changed(job)

    def _job_finished(self, job: JobRuntime) -> None:
        """The TTL-after-finished and CronJob controllers watch finished Jobs.

        ``ttlafterfinished_controller.go``: ``timeLeft`` is the ``Complete``/``Failed``
        condition's ``lastTransitionTime`` (``jobFinishTime``, as the API keeps it) plus
        ``ttlSecondsAfterFinished``, minus now; ``processTTL`` deletes at once when it is
        ``<= 0``, else ``enqueueAfter`` it."""
        self.cron.job_changed(job)
        ttl = job.spec.ttlSecondsAfterFinished
        if ttl is None or job.finished_at is None:
            return
        at = job.finished_at + ttl
        stored = self.controller.stored_time
        if stored is not None:
            at = max(job.finished_at, stored(job.finished_at) + ttl)
        self.clock.call_at(at, Prio.TTL, self._ttl_expired, job)

    def _ttl_expired(self, job: JobRuntime) -> None:
        """``ttlafterfinished``: DELETE with Foreground propagation: the pods, then the Job."""
        if job.deleted:
            return
        now = self.clock.now
        for pod in job.pods:
            if pod.removed:
                continue
            if pod.deletion_ts is None:
                pod.deletion_ts = now
                self.recorder.pod_deleted(now, pod.name, "ttlSecondsAfterFinished", False)
            self._pod_gone(pod)
        job.deleted = True
        self.recorder.job_deleted(now, job.key)
        self.cron.job_changed(job)

    def job(self, ref: str) -> JobRuntime:
        """The Job an event names."""
        return self.jobs[self.scenario.resolve_job(ref)]

    @property
    def pods_created(self) -> int:
        """The pods created so far (each pod's uid is its number in this count)."""
        return self._uid

    # -- pods (the API server's part) ----------------------------------------------------
    def _create_pod(self, job: JobRuntime, index: int | None) -> Pod:
        self._uid += 1
        now = self.clock.now
        pod = job.new_pod(self._uid, index, now)
        if job.keeps_pods:
            job.pods.append(pod)  # the TTL controller or the garbage collector deletes them
        self.recorder.pod_created(now, pod.name, job.key, index)
        self.scheduler.add(pod)
        self.controller.pod_updated(pod)
        return pod

    def disrupt(self, pod: Pod, reason: str, message: str) -> None:
        """``DisruptionTarget=True`` with ``reason``, then a graceful DELETE."""
        if pod.deletion_ts is not None or pod.terminal:
            return
        now = self.clock.now
        pod.conditions[DISRUPTION_TARGET] = ("True", reason, message, now)
        self.recorder.pod_condition(now, pod.name, DISRUPTION_TARGET, "True", reason, message)
        self.delete_pod(pod, reason, message)

    def _force_fail(self, pod: Pod, condition: tuple[str, str] | None) -> None:
        """PodGC's ``markFailedAndDeletePod``: phase Failed (with an optional DisruptionTarget
        condition), then a DELETE with no grace period."""
        now = self.clock.now
        if condition is not None:
            pod.conditions[DISRUPTION_TARGET] = ("True", *condition, now)
            self.recorder.pod_condition(now, pod.name, DISRUPTION_TARGET, "True", *condition)
        if pod.k_call is not None:
            pod.k_call.cancel()
            pod.k_call = None
        pod.k_state = "done"
        pod.phase = FAILED
        set_ready(pod, False)
        self.recorder.pod_phase(now, pod.name, FAILED)
        self._release(pod)
        if pod.deletion_ts is None:
            pod.deletion_ts = now
            pod.grace = 0.0
            self.recorder.pod_deleted(now, pod.name, "PodGC", pod.tracked)
            self.controller.pod_deleting(pod)
        self.controller.pod_terminal(pod)

    def _bind(self, pod: Pod, node: Node) -> None:
        self.autoscaler.busy(node)
        self.kubelets.bind(pod, node)

    def delete_pod(self, pod: Pod, reason: str, why: str) -> None:
        """A graceful DELETE: set deletionTimestamp; the kubelet stops the pod."""
        if pod.deletion_ts is not None or pod.terminal:
            return
        now = self.clock.now
        pod.deletion_ts = now
        failed_at_once = pod.tracked and not pod.job.only_replace_failed  # isPodFailed
        self.recorder.pod_deleted(now, pod.name, reason, failed_at_once)
        self.controller.pod_deleting(pod)
        self.clock.call(0.0, Prio.KUBELET, self._stop, pod)

    def _stop(self, pod: Pod) -> None:
        if pod.terminal:
            return
        if pod.node is None:
            # Never scheduled: nothing runs it. (Upstream PodGC marks such pods Failed.)
            self.scheduler.forget(pod)
            pod.phase = FAILED
            self.recorder.pod_phase(self.clock.now, pod.name, FAILED)
            self.controller.pod_terminal(pod)
            return
        self.kubelets.kill(pod)

    def _release(self, pod: Pod) -> None:
        node = pod.node
        self.scheduler.release(pod)
        if node is not None and not node.pods:
            self.autoscaler.maybe_idle(node)

    def _pod_gone(self, pod: Pod) -> None:
        if not pod.removed:
            pod.removed = True
            self.recorder.pod_removed(self.clock.now, pod.name)
            job: JobRuntime = pod.job
            # foregroundDeletion: the garbage collector lets the Job go with its last pod
            if job.deleting is not None and not job.deleted and all(p.removed for p in job.pods):
                self._job_gone(job, "propagationPolicy Foreground: its pods are gone")

    def _outcome(self, pod: Pod) -> RunOutcome:
        job: JobRuntime = pod.job
        pod.attempt = job.next_attempt(pod.index)
        return job.outcome(pod.index, pod.attempt)


__all__ = ["Simulation"]


def _pods_at_once(job: Job) -> int:
    """The most pods a Job runs at one time (its parallelism, at most its completions)."""
    spec = job.spec
    p = spec.parallelism if spec.parallelism is not None else 1
    return min(p, spec.completions) if spec.completions is not None else p
