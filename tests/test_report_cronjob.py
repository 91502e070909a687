"""The report page groups a CronJob's Jobs under it: its own section (schedule, status, summary,
Events), a row naming it over its Jobs in each table of Jobs, and its own lanes in the
timeline; what the user did to it is an outside event, not one of its Events."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

import jobsim
from jobsim.api import report_html
from jobsim.narrate import explain
from jobsim.report.figures import PodStories, timeline_by_job
from tests.helpers import job_manifest
from tests.test_cronjob import cronjob, data, run

ROOT = Path(__file__).resolve().parents[1]


def _nightly() -> jobsim.Result:
    return jobsim.simulate(jobsim.load_scenario(ROOT / "scenarios" / "cronjob-nightly.yaml"))


def _section(text: str, div: str) -> str:
    start = text.index(f'<section id="{div}">')
    return text[start : text.index("</section>", start)]


def _table_rows(section: str) -> list[str]:
    """Each row of the section's first table: a group header's text, or a row's first cell."""
    table = section[section.index("<tbody>") : section.index("</tbody>")]
    out = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table):
        cell = re.match(r"<t[hd][^>]*>(.*?)</t[hd]>", row)
        assert cell is not None
        out.append(html.unescape(cell.group(1)))
    return out


def test_a_cronjobs_jobs_are_listed_together_under_it() -> None:
    """cronjob-nightly: the two CronJobs' Jobs were created night by night in turns; in the
    outcome and the statistics tables each CronJob's come together, under a row that names
    it with its summary (Forbid skipped Thursday: 6 Jobs; Allow: 7)."""
    result = _nightly()
    text = report_html(result)
    forbid = [j["name"] for j in result.jobs() if j["name"].startswith("etl-forbid")]
    allow = [j["name"] for j in result.jobs() if j["name"].startswith("etl-allow")]
    assert (len(forbid), len(allow)) == (6, 7)
    stats = {c.cronJob: c for c in result.stats.cronJobs}
    wall = {
        k: f"wall time {jobsim.record.fmt_seconds(c.meanWallTime or 0)} mean, "
        f"{jobsim.record.fmt_seconds(c.maxWallTime or 0)} longest"
        for k, c in stats.items()
    }
    for div in ("jobs", "statistics"):
        rows = _table_rows(_section(text, div))
        assert rows == [
            "CronJob default/etl-forbid · schedule '0 1 * * *' · 6 Jobs: Complete 6 · "
            + wall["default/etl-forbid"],
            *(f"default/{n}" for n in forbid),
            "CronJob default/etl-allow · schedule '0 1 * * *' · 7 Jobs: Complete 7 · "
            + wall["default/etl-allow"],
            *(f"default/{n}" for n in allow),
        ]


def test_each_cronjob_has_its_section() -> None:
    """Its status as last written, and its Events: Forbid's one JobAlreadyActive (Thursday
    01:00:00.1, 73h0.1), the history limit's deletions as SuccessfulDelete, which are the
    controller's and so not outside events."""
    result = _nightly()
    section = _section(report_html(result), "cronjobs")
    assert "<h3>CronJob default/etl-forbid</h3>" in section
    assert "<h3>CronJob default/etl-allow</h3>" in section
    forbid = section[: section.index("<h3>CronJob default/etl-allow</h3>")]
    assert "<td>t=73h0m0.1s</td><td>Normal</td><td>JobAlreadyActive</td>" in forbid
    status = result.to_dict()["cronJobs"][0]["status"]
    assert status["active"] == []
    assert "status: lastScheduleTime 145h0m0s" in forbid
    outside = _section(report_html(result), "scenario")
    assert "No outside events" in outside
    assert "by its CronJob" not in outside


def test_what_the_user_did_is_an_outside_event() -> None:
    """createJob and patchCronJob are listed with the outside events, narrated; the
    CronJob's Events hold what its controller said (UnexpectedJob, a Warning)."""
    events = [
        {"at": "1h", "createJob": {"name": "manual-1", "cronJob": "nightly"}},
        {"at": "10h", "patchCronJob": {"cronJob": "nightly", "spec": {"schedule": "0 3 * * *"}}},
    ]
    d = data(cronjob(), {"duration": "30m"}, horizon="12h", events=events)
    d["jobs"].append({"manifest": job_manifest("adhoc"), "workload": {"duration": "1m"}})
    text = report_html(run(d))
    scenario = _section(text, "scenario")
    assert "CronJob default/nightly: kubectl create job manual-1 --from=cronjob/nightly" in scenario
    assert "CronJob default/nightly updated: schedule &#x27;0 2 * * *&#x27; -&gt; &#x27;0 3" in (
        scenario
    )
    cronjobs = _section(text, "cronjobs")
    assert "kubectl create job" not in cronjobs and "updated:" not in cronjobs
    assert (
        '<td>t=1h0m0s</td><td><span class="Warning">Warning</span></td><td>UnexpectedJob</td>'
        in cronjobs
    )
    assert _table_rows(_section(text, "jobs"))[:2] == ["Jobs of their own", "default/adhoc"]


def test_the_timeline_gives_each_cronjob_its_lanes() -> None:
    """A lane naming the CronJob, then its Jobs' lanes; the Jobs of no CronJob first."""
    result = _nightly()
    fig = timeline_by_job(result, PodStories(result, explain(result)))
    labels = [str(t) for t in fig.layout.yaxis.ticktext]
    forbid = [f"{j['name']} (8 pods)" for j in result.jobs() if "forbid" in j["name"]]
    allow = [f"{j['name']} (8 pods)" for j in result.jobs() if "allow" in j["name"]]
    assert labels == [
        "CronJob default/etl-forbid:",
        *forbid,
        "CronJob default/etl-allow:",
        *allow,
    ]


def _every_minute(horizon: str) -> jobsim.Result:
    """The docs' every-minute CronJob, 10 s runs, for ``horizon`` (Jobs at 1m0.1s, 2m0.1s…)."""
    d = data(cronjob("hello", "* * * * *"), {"duration": "10s"}, horizon)
    return run(d)


def test_many_jobs_of_a_cronjob_are_elided_in_every_table() -> None:
    """19 Jobs (minutes 1 to 19, 20m horizon): each table of Jobs lists the first 3 and the
    last 3 under the CronJob's row, and one row for the 13 left out; the conditions table
    too (two conditions each: SuccessCriteriaMet and Complete); the CronJob's Events (19
    SuccessfulCreate, 19 SawCompletedJob, 16 SuccessfulDelete past the history limit of 3)
    are the first and last 20 of 54."""
    result = _every_minute("20m")
    names = [j["name"] for j in result.jobs()]
    assert len(names) == 19
    text = report_html(result)
    shown = [f"default/{n}" for n in (*names[:3], *names[-3:])]
    more = "… 13 more Jobs of default/hello"
    for div in ("jobs", "statistics"):
        rows = _table_rows(_section(text, div))
        assert rows[1:] == [*shown[:3], more, *shown[3:]]
        assert rows[0].startswith("CronJob default/hello · schedule '* * * * *' · 19 Jobs")
    submitted = _table_rows(_section(text, "scenario").split("<h3>Jobs")[1])
    assert submitted[2:5] == ["t=2m0.1s", "t=3m0.1s", more]
    conditions = _section(text, "jobs").split("<h3>Conditions")[1]
    cells = _table_rows(conditions)
    assert cells == [
        *[s for s in shown[:3] for _ in (0, 1)],
        more,
        *[s for s in shown[3:] for _ in (0, 1)],
    ]
    events = _section(text, "cronjobs")
    assert "<summary>the first and last 20 of 54 Events</summary>" in events
    assert "… 14 more Events (jobsim explain narrates them all)" in events


def test_ten_jobs_of_a_cronjob_are_all_listed() -> None:
    result = _every_minute("11m")
    text = report_html(result)
    rows = _table_rows(_section(text, "jobs"))
    assert rows[1:] == [f"default/{j['name']}" for j in result.jobs()] and len(rows) == 11
    assert "more Jobs of" not in text


@pytest.mark.slow  # 34 hours of a CronJob run and drawn, 5 s: not in make check
def test_past_max_pod_bars_each_job_is_a_lane_with_a_line_between() -> None:
    """34 hours of the every-minute CronJob: 2,039 Jobs of one pod (minutes 1 to 2,039), past
    ``MAX_POD_BARS``: a 3-row lane per Job showing its running pods, a grey line between
    every two lanes (at 2.5, 5.5…), all set at once: one ``add_hline`` per lane copied every
    shape before it and took minutes."""
    result = _every_minute("34h")
    assert len(result.lives.pods) == 2039
    fig = timeline_by_job(result, PodStories(result, explain(result)))
    # the shapes as plain dicts: plotly's property access took 6 s over 2,038 shapes
    shapes = fig.to_plotly_json()["layout"]["shapes"]
    lines = [s for s in shapes if s.get("line", {}).get("color") == "#BBBBBB"]
    assert len(lines) == 2038
    assert [(s["y0"], s["y1"], s["xref"], s["x0"], s["x1"]) for s in lines[:2]] == [
        (2.5, 2.5, "x domain", 0, 1),
        (5.5, 5.5, "x domain", 0, 1),
    ]
