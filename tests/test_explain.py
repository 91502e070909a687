"""``explain``: the narrated timeline, pinned for the backoff and deadline scenarios.

Pod names (random suffixes) are replaced by ``<pod1>``, ``<pod2>``… in order of appearance;
everything else is pinned. The numbers were worked out by hand from the rules
(tests/test_timelines.py explains each time).
"""

from __future__ import annotations

from typing import Any

import pytest

from jobsim import Result, load_scenario, simulate
from jobsim.narrate import explain, render
from jobsim.record import Kind, describe
from tests.golden import SCENARIOS
from tests.helpers import job_manifest, run, scenario

FAIL_AFTER_5S = {"duration": "5s", "failure": {"probability": 1.0, "exitCode": 1}}


def anonymise(result: Result, text: str) -> str:
    """Replace pod names by <pod1>, <pod2>… in creation order."""
    for i, name in enumerate(result.recorder.pods, start=1):
        text = text.replace(name, f"<pod{i}>")
    return text


BACKOFF = """\
t=0s   Job default/job created: completions=1, parallelism=1, backoffLimit=2, restartPolicy=Never
t=0s   pod <pod1> created by Job default/job
t=0s   pod <pod1> scheduled to n-0
t=0s   pod <pod1> container started (start 1 of the Job's work)
t=5s   pod <pod1> container exited with code 1
t=5s   Job default/job waits 10s before creating pods (pod-failure backoff: 1 failure since \
last success): 10s·2^0 = 10s after the last failure at 5s, until 15s
t=5s   pod <pod1> counted as failed: failed=1 ≤ backoffLimit=2, not exceeded
t=15s  pod <pod2> created by Job default/job
t=15s  pod <pod2> scheduled to n-0
t=15s  pod <pod2> container started (start 2 of the Job's work)
t=20s  pod <pod2> container exited with code 1
t=20s  Job default/job waits 20s before creating pods (pod-failure backoff: 2 failures since \
last success): 10s·2^1 = 20s after the last failure at 20s, until 40s
t=20s  pod <pod2> counted as failed: failed=2 ≤ backoffLimit=2, not exceeded
t=40s  pod <pod3> created by Job default/job
t=40s  pod <pod3> scheduled to n-0
t=40s  pod <pod3> container started (start 3 of the Job's work)
t=45s  pod <pod3> container exited with code 1
t=45s  pod <pod3> counted as failed: failed=3 > backoffLimit=2, exceeded
t=45s  Job default/job condition FailureTarget=True (BackoffLimitExceeded: Job has reached the \
specified backoff limit): failed=3 > backoffLimit=2
t=45s  Job default/job condition Failed=True (BackoffLimitExceeded: Job has reached the \
specified backoff limit): failed=3 > backoffLimit=2
"""

DEADLINE = """\
t=0s     Job default/job created: completions=1, parallelism=1, backoffLimit=6, \
activeDeadlineSeconds=100, restartPolicy=Never
t=0s     pod <pod1> created by Job default/job
t=0s     pod <pod1> scheduled to n-0
t=0s     pod <pod1> container started (start 1 of the Job's work)
t=1m40s  pod <pod1> deleted (DeadlineExceeded): counted as failed at 1m40s because the Job is \
failing
t=1m40s  pod <pod1> counted as failed: failed=1; the Job is failing (DeadlineExceeded), its pods \
count as failed
t=1m40s  Job default/job condition FailureTarget=True (DeadlineExceeded: Job was active longer \
than specified deadline): activeDeadlineSeconds=100 reached: 1m40s since startTime 0s
t=1m47s  pod <pod1> container exited with code 143: SIGTERM
t=1m47s  Job default/job condition Failed=True (DeadlineExceeded: Job was active longer than \
specified deadline): FailureTarget since 1m40s and no pod is left terminating
"""


def backoff_result() -> Result:
    return run(scenario((job_manifest(backoffLimit=2), FAIL_AFTER_5S)))


def test_backoff_narration() -> None:
    """backoffLimit 2, pods fail after 5 s: backoff 10 s then 20 s, Failed at 45 when
    failed = 3 > 2. The duplicate backoff record of a second sync is one decision."""
    r = backoff_result()
    assert anonymise(r, render(explain(r))) == BACKOFF


def test_deadline_narration() -> None:
    """activeDeadlineSeconds 100, a 300 s pod with terminationDelay 7 s (``pastActiveDeadline``)."""
    r = run(
        scenario(
            (
                job_manifest(activeDeadlineSeconds=100),
                {"duration": "300s", "terminationDelay": "7s"},
            )
        )
    )
    assert anonymise(r, render(explain(r))) == DEADLINE


def test_lines_come_from_recorded_events() -> None:
    """No second code path: each line starts with ``describe`` of a recorded event."""
    r = backoff_result()
    sentences = {(t, describe(k, s, ref, a, b, x)) for t, k, s, ref, a, b, x in r.recorder.events()}
    for line in explain(r):
        assert any(t == line.t and line.text.startswith(s) for t, s in sentences), line


def test_the_numbers_come_from_the_recorded_events() -> None:
    """explain prints what the controller recorded with its decision, and re-derives nothing:
    change the recorded numbers and the sentence changes with them."""
    r = simulate(load_scenario(scenario((job_manifest(backoffLimit=2), FAIL_AFTER_5S))))
    rec = r.recorder
    [target] = [
        i
        for i, (_t, kind, _s, ref, *_rest) in enumerate(rec.events())
        if kind is Kind.JOB_CONDITION and ref.startswith("FailureTarget/")
    ]
    assert rec.numbers[target] == {"failed": 3, "backoffLimit": 2}
    before = [ln.text for ln in explain(r)]
    assert any(
        t.endswith(
            "(BackoffLimitExceeded: Job has reached the specified backoff limit)"
            ": failed=3 > backoffLimit=2"
        )
        for t in before
    )
    rec.numbers[target] = {"failed": 30, "backoffLimit": 20}
    after = [ln.text for ln in explain(r)]
    assert any(t.endswith(": failed=30 > backoffLimit=20") for t in after)
    counted = [
        rec.numbers[i]
        for i, (_t, kind, _s, ref, *_rest) in enumerate(rec.events())
        if kind is Kind.POD_COUNTED
    ]
    assert counted == [
        {"failed": 1, "backoffLimit": 2, "exceeded": False},
        {"failed": 2, "backoffLimit": 2, "exceeded": False},
        {"failed": 3, "backoffLimit": 2, "exceeded": True},
    ]


def test_a_pod_counted_before_the_job_fails_is_weighed_against_its_limit() -> None:
    """backoffLimitPerIndex: a failure counted at 17 s is "index 0 failed 1 time", not "the Job
    is failing" (FailedIndexes is only decided at 59 s). Re-deriving from the spec and the
    whole log once said the latter; the controller's own numbers say the former."""
    lines = explain(simulate(load_scenario(SCENARIOS / "backoff-per-index.yaml")))
    at_17 = [ln.text for ln in lines if ln.t == 17 and "counted as failed" in ln.text]
    assert at_17 == [
        "pod job-backoff-limit-per-index-example-0-gsdlz counted as failed: "
        "index 0 failed 1 time, backoffLimitPerIndex=1",
        "pod job-backoff-limit-per-index-example-2-bxdq7 counted as failed: "
        "index 2 failed 1 time, backoffLimitPerIndex=1",
    ]


def test_one_job_only() -> None:
    wl = {"duration": "10s"}
    r = run(scenario((job_manifest("a"), wl), (job_manifest("b", backoffLimit=2), FAIL_AFTER_5S)))
    lines = explain(r, job="b")
    assert {ln.job for ln in lines} == {"default/b"}
    assert lines[-1].text.endswith("failed=3 > backoffLimit=2")
    assert explain(r, job="default/a")[0].text.startswith("Job default/a created")
    with pytest.raises(KeyError):
        explain(r, job="nope")


def test_markdown() -> None:
    r = backoff_result()
    md = anonymise(r, render(explain(r), "markdown")).splitlines()
    assert md[:3] == [
        "| t | what happened, and why |",
        "|---:|:---|",
        "| 0s | Job default/job created: completions=1, parallelism=1, backoffLimit=2, "
        "restartPolicy=Never |",
    ]
    assert md[-1] == (
        "| 45s | Job default/job condition Failed=True (BackoffLimitExceeded: Job has reached "
        "the specified backoff limit): failed=3 > backoffLimit=2 |"
    )
    with pytest.raises(ValueError, match="unknown format"):
        render([], "html")  # type: ignore[arg-type]


def test_numbers_follow_spec_changes() -> None:
    """Elastic Indexed Job scaled from completions 4 to 2: the narration uses the completions
    the controller had at each moment, as ``JOB_SPEC_CHANGED`` recorded them."""
    spec = job_manifest(completions=4, parallelism=4, completionMode="Indexed")
    r = run(
        scenario(
            (spec, {"duration": "100s"}),
            events=[{"at": "30s", "scale": {"job": "job", "completions": 2, "parallelism": 2}}],
        )
    )
    texts = [ln.text for ln in explain(r)]
    assert any(t.startswith("Job default/job spec changed") for t in texts)
    assert texts[-1].endswith("succeeded=2 ≥ completions=2 and none active")


def _texts(entries: list[Any], events: list[dict[str, Any]] | None = None) -> list[str]:
    return [ln.text for ln in explain(run(scenario(*entries, events=events)))]


def test_on_failure_job_failed_by_its_failure_count_says_so() -> None:
    """restartPolicy OnFailure, backoffLimit 1, its pod deleted twice (counted failures, no
    restarts): failed=2 > 1 decides (syncJob checks the failed count before
    pastBackoffLimitOnFailure), so the numbers are failures, not restarts."""
    job = job_manifest(backoffLimit=1, restartPolicy="OnFailure")
    deletes = [{"at": at, "deletePod": {"job": "job"}} for at in ("10s", "30s")]
    texts = _texts([(job, {"duration": "100s"})], deletes)
    assert [t for t in texts if "condition FailureTarget" in t] == [
        "Job default/job condition FailureTarget=True (BackoffLimitExceeded: Job has reached the "
        "specified backoff limit): failed=2 > backoffLimit=1"
    ]


def test_pods_killed_by_the_verdict_count_as_failed_because_the_job_fails() -> None:
    """backoffLimit 0, four pods, one fails at 5 s: that failure exceeds the limit; the three
    running pods are deleted and counted failed because the Job is failing; FailureTarget
    carries the count it was decided on (1), not the four counted afterwards."""
    job = job_manifest(backoffLimit=0, parallelism=4, completions=4)
    wl = {"duration": "10s", "script": [{"attempt": 0, "exitCode": 1, "after": "5s"}]}
    counted = [
        t.split(": ", 1)[1]
        for t in _texts([(job, wl)])
        if t.split(": ", 1)[0].endswith("counted as failed")
    ]
    assert counted == [
        "failed=1 > backoffLimit=0, exceeded",
        "failed=2; the Job is failing (BackoffLimitExceeded), its pods count as failed",
        "failed=3; the Job is failing (BackoffLimitExceeded), its pods count as failed",
        "failed=4; the Job is failing (BackoffLimitExceeded), its pods count as failed",
    ]
    assert any(t.endswith("backoff limit): failed=1 > backoffLimit=0") for t in _texts([(job, wl)]))


def test_max_failed_indexes_names_its_numbers() -> None:
    """backoffLimitPerIndex 0, maxFailedIndexes 1: indexes 0 and 1 fail, 2 > 1."""
    job = job_manifest(
        completions=4,
        parallelism=4,
        completionMode="Indexed",
        backoffLimitPerIndex=0,
        maxFailedIndexes=1,
    )
    script = [
        {"index": 0, "exitCode": 1, "after": "5s"},
        {"index": 1, "exitCode": 1, "after": "6s"},
    ]
    texts = _texts([(job, {"duration": "10s", "script": script})])
    assert [t.split("): ", 1)[1] for t in texts if "condition FailureTarget" in t] == [
        "failedIndexes=2 > maxFailedIndexes=1"
    ]
    assert "index 1 failed 1 time, backoffLimitPerIndex=0" in " ".join(texts)


def _deleted_and_counted(r: Result) -> list[str]:
    return [
        anonymise(r, ln.text)
        for ln in explain(r)
        if " deleted (" in ln.text or " counted as " in ln.text.split(":")[0]
    ]


def test_a_pod_deleted_as_the_job_fails_is_said_to_count_as_failed() -> None:
    """backoffLimit 0, parallelism 2, podReplacementPolicy Failed: the first pod exits 1 at
    10 s, failed=1 > 0, and the same sync deletes the second, running pod. Upstream
    trackJobStatusAndRemoveFinalizers counts every non-terminated pod of a failing Job as failed
    (``considerPodFailed || finishedCondition is not SuccessCriteriaMet``), so the deleted pod
    is counted: its deletion line once said "not counted" just above "counted as failed"."""
    job = job_manifest(backoffLimit=0, parallelism=2, completions=2, podReplacementPolicy="Failed")
    wl = {"duration": "100s", "script": [{"attempt": 0, "exitCode": 1, "after": "10s"}]}
    r = run(scenario((job, wl)))
    assert _deleted_and_counted(r) == [
        "pod <pod2> deleted (BackoffLimitExceeded): counted as failed at 10s because the Job "
        "is failing",
        "pod <pod1> counted as failed: failed=1 > backoffLimit=0, exceeded",
        "pod <pod2> counted as failed: failed=2; the Job is failing (BackoffLimitExceeded), its "
        "pods count as failed",
    ]
    assert r.job("job")["status"]["failed"] == 2


def test_pods_deleted_as_the_job_succeeds_are_said_not_to_count() -> None:
    """The other direction: Indexed, a successPolicy met by index 0 at 5 s; the sync that sets
    SuccessCriteriaMet deletes the running pods of indexes 1 and 2 and removes their finalizers
    uncounted (a finishing sync counts a live pod as failed only when the Job fails). With
    podReplacementPolicy TerminatingOrFailed they are failures at once for isPodFailed, which
    the deletion line once turned into "counted by the Job controller"."""
    job = job_manifest(
        completions=3,
        parallelism=3,
        completionMode="Indexed",
        successPolicy={"rules": [{"succeededIndexes": "0"}]},
    )
    wl = {"duration": "100s", "script": [{"index": 0, "exitCode": 0, "after": "5s"}]}
    r = run(scenario((job, wl)))
    assert _deleted_and_counted(r) == [
        "pod <pod2> deleted (SuccessPolicy): not counted",
        "pod <pod3> deleted (SuccessPolicy): not counted",
        "pod <pod1> counted as succeeded: succeeded=1 of completions=3",
    ]
    assert r.job("job")["status"]["failed"] == 0


def test_a_deletion_says_when_its_pod_is_counted() -> None:
    """``kubectl delete pod`` at 20 s, terminationDelay 30 s, jobSyncDelay 1 s. TerminatingOrFailed
    (the default): a failure at once, counted at the next sync (21 s). Failed: counted only
    once the pod is Failed (its container exits 143 at 50 s, the sync at 51 s)."""
    timing = {"jobSyncDelay": 1, "containerStart": 0, "scheduling": 0, "imagePull": 0}
    wl = {"duration": "100s", "terminationDelay": "30s"}
    lines = []
    for policy in ("TerminatingOrFailed", "Failed"):
        data = scenario(
            (job_manifest(podReplacementPolicy=policy), wl),
            timing=timing,
            events=[{"at": "20s", "deletePod": {"job": "job"}}],
        )
        lines.append(_deleted_and_counted(run(data))[0])
    assert lines == [
        "pod <pod1> deleted (kubectl delete pod): a failure at once, counted as failed at 21s",
        "pod <pod1> deleted (kubectl delete pod): counted as failed at 51s, once Failed "
        "(only failed pods are replaced)",
    ]


def test_a_backoff_after_thousands_of_failures_is_narrated_capped() -> None:
    """An Ignore rule matching every failure retries for ever; after about 1 000 failures
    10 s·2^(n-1) no longer fits a float: the narration says the delay is capped (10 min)
    instead of failing."""
    job = job_manifest(
        podFailurePolicy={
            "rules": [{"action": "Ignore", "onExitCodes": {"operator": "In", "values": [1]}}]
        }
    )
    data = scenario((job, {"duration": "1s", "failure": {"probability": 1.0, "exitCode": 1}}))
    result = simulate(load_scenario({**data, "horizon": "200h"}))
    lines = [ln.text for ln in explain(result) if "waits" in ln.text]
    assert len(lines) > 1100
    assert (
        "(pod-failure backoff: 1100 failures since last success): "
        "10s·2^1099 capped at 10m0s = 10m0s after" in "".join(lines)
    )
