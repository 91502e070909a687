"""``jobsim report``: the HTML page's figures, texts, escaping and size, and the command.

The browser checks (rendering, hover, screenshot) are in ``test_report_browser.py``.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest
import yaml
from plotly.offline import get_plotlyjs
from typer.testing import CliRunner

import jobsim
from jobsim.api import report_html, write_report
from jobsim.cli import app
from jobsim.narrate import explain
from jobsim.report import figures, page
from jobsim.report.figures import PodStories, timeline_by_job, timeline_by_node
from tests.helpers import job_manifest, run, scenario

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def _result(name: str) -> jobsim.Result:
    return jobsim.simulate(jobsim.load_scenario(ROOT / "scenarios" / f"{name}.yaml"))


def _bars(fig: Any, meta: str) -> list[tuple[float, float, str, str]]:
    """(start, end, pod, hover) of every bar of the traces drawing ``meta``."""
    out = []
    for tr in fig.data:
        if tr.type == "bar" and tr.meta == meta:
            for base, x, pod, hover in zip(tr.base, tr.x, tr.customdata, tr.hovertext, strict=True):
                out.append((base, base + x, pod, hover))
    return out


def _figures(result: jobsim.Result) -> tuple[Any, Any]:
    stories = PodStories(result, explain(result))
    return timeline_by_job(result, stories), timeline_by_node(result, stories)


def test_backoff_timeline_has_a_bar_per_run_and_each_backoff() -> None:
    """scenarios/backoff.yaml: backoffLimit 2 and every run exits 1 after 5 s, so the Job
    fails at its third failure: three pods (restartPolicy Never: one run each) created at 0,
    15 and 40 s (backoff 10 s·2^0 after the failure at 5 s, 10 s·2^1 after the one at 20 s),
    and no backoff after the third failure, which fails the Job."""
    result = _result("backoff")
    by_job, by_node = _figures(result)
    failed = _bars(by_job, "run:failed")
    assert [(lo, hi) for lo, hi, _pod, _h in failed] == [(0, 5), (15, 20), (40, 45)]
    assert len({pod for _lo, _hi, pod, _h in failed}) == 3
    assert _bars(by_job, "run:succeeded") == []
    assert [(lo, hi) for lo, hi, _p, _h in _bars(by_job, "backoff")] == [(5, 15), (20, 40)]
    assert list(by_job.layout.yaxis.ticktext) == [p.name for p in result.lives.pods.values()]
    assert len(_bars(by_node, "run:failed")) == 3
    first, second, _third = (p.name for p in result.lives.pods.values())
    hover = next(h for _lo, _hi, pod, h in failed if pod == second)
    assert f"<b>pod {second}</b> (Job default/flaky)" in hover
    assert "node: worker-0" in hover
    assert "run 1: t=15s–20s (5s), exit code 1 (failed)" in hover
    assert "Failed at t=20s" in hover
    assert f"• pod {second} created by Job default/flaky" in hover
    assert "after: Job default/flaky waits 10s before creating pods" in hover
    assert f"it re-executes the work of pod {first}" in hover


def test_node_failure_shows_the_eviction_and_the_silent_node() -> None:
    """scenarios/node-failure.yaml: worker-0 stops reporting at 60 s and reports again at 30m;
    its pod (started at 1 s) is evicted by the taint manager at 6m50s (50 s grace + 300 s
    toleration after 60 s) and runs unseen until its 10m run ends at 10m1s; the replacement on
    worker-1 runs 6m52s–16m52s and succeeds."""
    result = _result("node-failure")
    by_job, by_node = _figures(result)
    old, new = result.lives.pods.values()
    [(lo, hi, pod, hover)] = _bars(by_job, "run:evicted")
    assert (lo, hi, pod) == (1, 601, old.name)
    assert f"pod {old.name} deleted (DeletionByTaintManager)" in hover
    assert [b[:3] for b in _bars(by_job, "terminating")] == [(410, 601, old.name)]
    [(lo, hi, pod, hover)] = _bars(by_job, "run:succeeded")
    assert (lo, hi, pod) == (412, 1012, new.name)
    assert f"it re-executes the work of pod {old.name}" in hover
    assert [b[:2] for b in _bars(by_node, "node-down")] == [(60, 1800)]
    assert list(by_node.layout.yaxis.ticktext) == ["worker-0", "worker-1"]


def test_the_page_holds_every_section_and_the_whole_narrative() -> None:
    result = _result("backoff")
    text = report_html(result, source="name: backoff\n", source_name="scenarios/backoff.yaml")
    for heading in (
        "Scenario",
        "Jobs: outcome and conditions",
        "Timelines",
        "Statistics",
        "What happened, and why",
    ):
        assert f"<h2>{heading}</h2>" in text
    for div in ("timeline-job", "timeline-node", "charts"):
        assert f'id="{div}"' in text
    for line in jobsim.api.narrate(result):
        assert html.escape(line.text) in text
    assert '<span class="Failed">Failed</span>' in text
    assert "BackoffLimitExceeded" in text
    assert "The input file (scenarios/backoff.yaml)" in text
    # self-contained: plotly.js inline, no script or stylesheet from elsewhere
    assert "<script src" not in text and "<link" not in text
    assert text.count("<script") == 4  # plotly.js, then one per figure


def test_the_page_is_the_same_for_the_same_run() -> None:
    assert report_html(_result("indexed")) == report_html(_result("indexed"))


def test_user_text_is_escaped() -> None:
    data = scenario((job_manifest("job"), {"duration": "5s"}))
    data["name"] = "<script>alert(1)</script>"
    result = run(data)
    text = report_html(result, source="</pre><script>alert(2)</script>", source_name="<b>x</b>")
    assert "<script>alert" not in text and "<b>x</b>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;/pre&gt;&lt;script&gt;alert(2)" in text


def test_many_pods_are_counted_not_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past MAX_POD_BARS pods, a count per Job and per node, and the page says so."""
    monkeypatch.setattr(figures, "MAX_POD_BARS", 10)
    result = _result("nightly")
    text = report_html(result)
    by_job, by_node = _figures(result)
    for fig in (by_job, by_node):
        assert not [t for t in fig.data if t.type == "bar" and str(t.meta).startswith("run:")]
        assert [t.meta for t in fig.data if t.type == "scatter"][-1:] in (["pods"], ["condition"])
    assert "more than 10: to keep the page small" in text


def test_a_long_narrative_is_cut_and_folded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(page, "MAX_NARRATIVE", 5)
    result = _result("backoff")
    text = report_html(result)
    lines = explain(result)
    assert "The first 5 of 20 lines" in text and len(lines) == 20
    assert html.escape(lines[4].text) in text and html.escape(lines[5].text) not in text
    assert "<details open><summary>5 lines</summary>" in text


def test_a_large_run_stays_small() -> None:
    """scenarios/nightly.yaml (122 pods): plotly.js (about 4.8 MB) and well under 1 MB more."""
    result = _result("nightly")
    size = len(report_html(result).encode())
    assert len(get_plotlyjs().encode()) < size < len(get_plotlyjs().encode()) + 1_000_000


# -- the command -----------------------------------------------------------------------


@pytest.fixture
def backoff_file(tmp_path: Path) -> Path:
    path = tmp_path / "backoff.yaml"
    fail = {"duration": "5s", "failure": {"probability": 1.0, "exitCode": 1}}
    data = scenario((job_manifest("flaky", backoffLimit=2), fail))
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_report_command_writes_the_page(backoff_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    res = runner.invoke(app, ["report", str(backoff_file), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert f"wrote {out}" in res.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert f"The input file ({backoff_file})" in text
    assert "failed=3 &gt; backoffLimit=2" in text


def test_report_command_reads_bare_manifests_from_stdin(tmp_path: Path) -> None:
    out = tmp_path / "bare.html"
    manifest = yaml.safe_dump(job_manifest("pi", backoffLimit=4))
    res = runner.invoke(app, ["report", "-", "-o", str(out), "--nodes", "2"], input=manifest)
    assert res.exit_code == 0, res.output
    text = out.read_text(encoding="utf-8")
    assert "The input file (&lt;stdin&gt;)" in text
    assert '<td>node</td><td class="n">2</td>' in text  # the default pool, 2 nodes


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["-o", "{tmp}/r.png"], 2, "the output must end in .html"),
        (["-o", "{tmp}/missing/r.html"], 1, "missing/r.html: No such file or directory"),
        (["-o", "{tmp}/r.html", "--nodes", "2"], 1, "--nodes: apply to bare Job manifests only"),
    ],
)
def test_report_command_errors(
    backoff_file: Path, tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    argv = ["report", str(backoff_file), *(a.format(tmp=tmp_path) for a in args)]
    res = runner.invoke(app, argv)
    assert res.exit_code == code, res.output
    assert message in res.output
    assert "Traceback" not in res.output


def test_report_command_bad_input(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ncluster: {nodePools: []}\njobs: [{manifest: {kind: Job}}]\n")
    res = runner.invoke(app, ["report", str(bad), "-o", str(tmp_path / "r.html")])
    assert res.exit_code == 1
    assert f"{bad}:" in res.output
    assert not (tmp_path / "r.html").exists()


def test_write_report(tmp_path: Path) -> None:
    path = write_report(_result("pi"), tmp_path / "pi.html")
    assert path.read_text(encoding="utf-8") == report_html(_result("pi"))


def test_an_overlap_is_boxed_in_the_page_as_in_the_pictures() -> None:
    """scenarios/node-failure.yaml: worker-0 stops reporting at 1m0s, is NotReady 50 s later
    and the taint evicts its pod 300 s after that; the replacement starts at 6m52s while the
    evicted pod's run goes on unseen until its exit at 10m1s: the statistics flag a 3m9s
    overlap (as `jobsim run` warns), and the timeline by Job boxes both lanes over it, as the
    PNG does."""
    r = _result("node-failure")
    [o] = [o for j in r.stats.jobs for o in j.overlappingExecutions]
    assert (o.start, o.seconds) == (412.0, 189.0)
    job_fig, _ = _figures(r)
    [box] = [t for t in job_fig.data if t.meta == "overlap"]
    end = o.start + o.seconds
    assert list(box.x) == [o.start, end, end, o.start, o.start, None]
    assert sorted(set(y for y in box.y if y is not None)) == [-0.45, 1.45]  # lanes 0 and 1
    assert box.hovertext[0].startswith("<b>overlap 3m9s</b><br>pod ")
