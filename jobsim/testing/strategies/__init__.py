"""Hypothesis strategies for Job failure properties: failure patterns, node events, clusters
and whole scenarios around a Job manifest you fix, or around random ones.

Say what must hold of your Job and let hypothesis hunt the pattern of exits, evictions and
node outages that breaks it::

    from hypothesis import given
    from jobsim import load_scenario, simulate
    from jobsim.testing.strategies import scenarios

    MANIFEST = '''
    apiVersion: batch/v1
    kind: Job
    metadata: {name: trainer}
    spec:
      parallelism: 2
      completions: 2
      backoffLimit: 3
      podFailurePolicy:
        rules: [{action: FailJob, onExitCodes: {operator: In, values: [42]}}]
      template:
        spec:
          restartPolicy: Never
          containers: [{name: main, image: busybox}]
    '''

    @given(scenarios(MANIFEST))
    def test_never_more_than_parallelism(data):
        result = simulate(load_scenario(data))
        ...  # read result.pods(), result.job("trainer")

:func:`scenarios` keeps the manifest exactly as written (its name and spec) and draws around
it: a cluster its pods fit, a failure pattern (:func:`failure_patterns`: which attempt of
which index exits with which code, after how long) tuned to its podFailurePolicy and
backoffLimit, node events (:func:`node_events`), and, in part of the examples, a hazard aimed
at on purpose (:data:`HAZARDS`: a node lost or drained while a pod runs on it, two pods failing
at one instant, a failure at the last attempt the backoffLimit allows), so that properties
those rare patterns break are found within hypothesis' default 100 examples. Drawn events never
suspend, scale or delete your Job unless you pass ``events`` that do. Without a manifest,
:func:`scenarios` draws up to ``max_jobs`` random Jobs (:func:`job_specs`) and events about
them too: that fuzzes jobsim itself.

Conventions, after ``xarray.testing.strategies``: every knob but the manifest is keyword-only;
knobs that draw a whole value (a cluster, a workload, a list of events, a timing) take a
hypothesis strategy (use ``st.just(...)`` for a fixed value; ``cluster`` and ``timing`` also
take the fixed mapping itself); knobs that list the values a draw picks from (``exit_codes``,
``nodes``, ``kinds``, ``containers``) take a sequence, and shrinking prefers its first item;
``max_*`` knobs bound the size of what is drawn. A wrong argument raises ``TypeError`` or
``ValueError`` when the strategy is built, never while drawing. Shrinking goes toward fewer
events and script entries, shorter runs, attempt 0, index 0, the first exit code, the first
node and no hazard, so a failing example reads as a small scenario.

What is drawn is plain data (dicts, lists, strings, numbers), exactly what a scenario YAML file
holds: it passes :func:`jobsim.load_scenario` and ``yaml.safe_dump``.

Random manifests (:func:`job_specs`) cover ``completions`` (also unset: work queue),
``parallelism``, ``completionMode``, ``backoffLimit``, ``backoffLimitPerIndex`` and
``maxFailedIndexes``, ``podFailurePolicy`` (exit-code and ``DisruptionTarget`` rules),
``successPolicy``, ``activeDeadlineSeconds``, ``podReplacementPolicy``, ``suspend``,
``ttlSecondsAfterFinished``, pod templates with ``restartPolicy`` Never or OnFailure, a cpu
request, a grace period and a toleration of the unreachable taint. They do not draw random
node failures (they need a ``horizon``), PriorityClasses and preemption, sidecar and init
containers, or ``managedBy``; ``backoffLimitPerIndex`` is not drawn with ``restartPolicy:
OnFailure`` (its default ``backoffLimit``, MaxInt32, lets a crashing container restart for
ever: correct, but it never ends).

Importing this package needs the ``hypothesis`` package (the ``testing`` extra).
"""

from __future__ import annotations

from jobsim.testing.strategies.cluster import clusters
from jobsim.testing.strategies.events import node_events
from jobsim.testing.strategies.hazards import HAZARDS, aimed
from jobsim.testing.strategies.manifest import job_specs
from jobsim.testing.strategies.scenario import DEFAULT_TIMING, ZERO_TIMING, scenarios
from jobsim.testing.strategies.workload import failure_patterns, workloads

__all__ = [
    "DEFAULT_TIMING",
    "HAZARDS",
    "ZERO_TIMING",
    "aimed",
    "clusters",
    "failure_patterns",
    "job_specs",
    "node_events",
    "scenarios",
    "workloads",
]
