"""``JobRuntime.outcome`` reads its Job's workload once (``_read_workload``), draws a
lognormal duration's normal and its two uniforms in one call (``jobsim.sim._draws``; compiled,
numpy's C functions) and another duration's uniforms as raw draws: every run must still draw
what the workload's own methods draw, from the same stream, in the same order (duration, two
uniforms, the failure's ``after``), and pick the same script entry, exit code and run time."""

from __future__ import annotations

import gc
import importlib.machinery
import subprocess
import sys
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobsim.k8s.job import Job
from jobsim.scenario import Workload, decode_job
from jobsim.sim import _draws
from jobsim.sim.jobs import DOUBLE_UNIT, JobRuntime, RunOutcome, stream
from jobsim.version import compiled
from tests.helpers import job_manifest


def reference(
    job: JobRuntime, rng: np.random.Generator, index: int | None, attempt: int
) -> RunOutcome:
    """The outcome as the workload's methods give it (the algorithm before the inline reads)."""
    w = job.workload
    duration = w.duration.sample(rng)
    u_fail, u_code = rng.random(), rng.random()
    after_draw: float | None = None
    f = w.failure
    if f is not None and not isinstance(f.after, float):
        after_draw = f.after.sample(rng)
    for entry in w.script:
        if (
            (entry.index is None or entry.index == index)
            and (entry.attempt is None or entry.attempt == attempt)
            and (entry.cronRun is None or entry.cronRun == job.cron_run)
        ):
            run = duration if entry.after is None else entry.after
            return job._result(run, entry.exitCode, entry.container, entry.containers)
    if f is not None and u_fail < f.probability:
        codes = list(f.exitCode.items())
        total = sum(wt for _, wt in codes)
        acc = 0.0
        code = codes[-1][0]
        for c, wt in codes:
            acc += wt / total
            if u_code < acc:
                code = c
                break
        run = duration * f.after if isinstance(f.after, float) else float(after_draw or 0.0)
        return job._result(run, code, f.container, {})
    return job._result(duration, 0, None, {})


DURATIONS = st.sampled_from(
    [
        {"lognormal": {"median": "60s", "sigma": 0.5}},
        {"lognormal": {"median": "1ms", "sigma": 40}},  # a tail past Go's largest duration
        {"lognormal": {"median": "1s", "sigma": 300}},  # exp's argument past 709 (overflow)
        {"lognormal": {"median": "1s", "sigma": 1e300}},  # sigma * draw is infinite
        {"exponential": {"mean": "30s"}},
        {"uniform": {"min": "5s", "max": "15s"}},
        "10s",
    ]
)
FAILURES = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {
            "probability": st.sampled_from([0.0, 0.3, 1.0]),
            "exitCode": st.sampled_from([1, {1: 3, 137: 1}, {2: 0.1, 3: 0.2, 4: 0.7}]),
            "after": st.sampled_from([1.0, 0.25, {"exponential": {"mean": "5s"}}, "3s"]),
        }
    ),
)
SCRIPTS = st.lists(
    st.fixed_dictionaries(
        {
            "index": st.sampled_from([0, 1]),
            "attempt": st.sampled_from([0, 1]),
            "exitCode": st.sampled_from([0, 42]),
        },
        optional={"after": st.sampled_from(["1s", "2m"])},
    ),
    max_size=2,
)


@settings(max_examples=60, deadline=None)
@given(duration=DURATIONS, failure=FAILURES, script=SCRIPTS, seed=st.integers(0, 2**32 - 1))
def test_outcome_draws_what_the_workload_draws(
    duration: Any, failure: dict[str, Any] | None, script: list[dict[str, Any]], seed: int
) -> None:
    decoded = decode_job(job_manifest(completionMode="Indexed", completions=2, parallelism=2))
    assert isinstance(decoded, Job), decoded
    data: dict[str, Any] = {"duration": duration, "script": script}
    if failure is not None:
        data["failure"] = failure
    workload = Workload.model_validate(data)
    job = JobRuntime(
        "default/job", decoded, workload, np.random.default_rng(seed), np.random.default_rng(1), 0.0
    )
    mirror = np.random.default_rng(seed)
    for run in range(40):
        index, attempt = run % 2, run // 2 % 3
        assert job.outcome(index, attempt) == reference(job, mirror, index, attempt), run


def test_a_raw_draw_is_the_generators_uniform() -> None:
    # outcome (and the pure _draws) draw the uniforms from the bit generator: Generator.random()
    # is PCG64's next_double, the top 53 bits of a raw draw times 2**-53 (numpy's pcg64.h).
    a, b = stream(7, "default/job"), stream(7, "default/job")
    raws = [(b.bit_generator.random_raw() >> 11) * DOUBLE_UNIT for _ in range(10_000)]
    assert raws == [a.random() for _ in range(10_000)]


def _raws_taken(bits: np.random.PCG64, before: Any) -> int:
    """How many raw draws the stream took since its state was ``before``."""
    probe = np.random.PCG64()
    probe.state = before
    after, taken = bits.state, 0
    while probe.state != after:
        probe.advance(1)
        taken += 1
    return taken


def test_a_lognormal_runs_three_draws_are_the_generators() -> None:
    # _draws.normal_and_uniforms (compiled: numpy's own C functions, one call) draws what
    # standard_normal() and random() twice draw, 100,000 times, and leaves the stream where
    # they leave it: the ziggurat's tail beyond its base layer (|z| > 3.66) and its rejections
    # inside the layers (a normal of three raw draws or more) included.
    a, b = stream(11, "default/job"), stream(11, "default/job")
    handle = _draws.handle(a)
    got = [_draws.normal_and_uniforms(handle) for _ in range(100_000)]
    bits = b.bit_generator
    assert isinstance(bits, np.random.PCG64)
    want, normals_raws = [], []
    for i in range(100_000):
        before = bits.state if i < 20_000 else None
        want.append((float(b.standard_normal()), b.random(), b.random()))
        if before is not None:
            normals_raws.append(_raws_taken(bits, before) - 2)
    assert got == want
    assert sum(abs(z) > 3.66 for z, _, _ in got) >= 10
    assert any(
        raws >= 3 and abs(z) < 3.6
        for raws, (z, _, _) in zip(normals_raws, got[:20_000], strict=True)
    )
    assert a.bit_generator.state == b.bit_generator.state
    assert a.random() == b.random()


def test_a_handle_holds_its_bit_generator_once() -> None:
    # One reference while the handle lives (compiled: its capsule's; pure: its random_raw's),
    # none after: no leak, no early release.
    rng = stream(3, "default/job")
    bits = rng.bit_generator
    count = sys.getrefcount(bits)
    handle = _draws.handle(rng)
    assert sys.getrefcount(bits) == count + 1
    del handle
    assert sys.getrefcount(bits) == count


def test_a_stream_outlives_its_generator() -> None:
    # The handle holds the Generator's BitGenerator: with every other reference gone and its
    # memory reused, it draws on from the same stream.
    handle = _draws.handle(stream(5, "default/job"))
    gc.collect()
    others = [np.random.PCG64(seed) for seed in range(2_000)]
    mirror = stream(5, "default/job")
    want = [(float(mirror.standard_normal()), mirror.random(), mirror.random()) for _ in range(100)]
    assert [_draws.normal_and_uniforms(handle) for _ in range(100)] == want
    del others


def test_the_compiled_core_draws_by_numpys_c_functions() -> None:
    # setup.py builds _draws.c with the compiled core; Python imports it before _draws.py.
    native = str(_draws.__file__).endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))
    assert native == compiled()


def test_the_compiled_draws_refuse_another_numpy() -> None:
    # The extension links the building numpy's functions; numpy's Generator streams may change
    # between versions, so beside another numpy it refuses to load, saying why.
    if not compiled():
        pytest.skip("the pure _draws calls whatever numpy is there")
    code = (
        "import numpy\nnumpy.__version__ = '0.0.1'\n"
        "try:\n    import jobsim.sim._draws\nexcept ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == (
        f"jobsim's compiled core was built with numpy {np.__version__} and this is numpy "
        "0.0.1: build it again (setup.py, JOBSIM_MYPYC=1)\n"
    )
