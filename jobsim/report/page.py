"""The report page: one self-contained HTML file of a run (plotly.js inline, nothing fetched).

Sections, top to bottom: the scenario (cluster, Jobs as submitted, outside events, the input
file), the CronJobs (each one's schedule, status, summary of its Jobs and Events), each Job's
outcome and conditions, the timelines by Job and by node, the statistics and charts, and the
narrated run (what ``jobsim explain`` prints). A CronJob's Jobs are listed together, under a
row that names it, in every table of Jobs. Every text that comes from the
input is escaped. The page depends only on the result, the input text and the plotly version:
the same scenario and seed give the same bytes.
"""

from __future__ import annotations

import html
from collections import Counter
from typing import Any

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from jobsim.elide import elide, more_jobs
from jobsim.k8s.conditions import job_finished_at, job_outcome
from jobsim.narrate import Line, explain
from jobsim.record import (
    CRONJOB_DELETE,
    OUTSIDE_CRONJOB_REASONS,
    Kind,
    describe,
    fmt_seconds,
)
from jobsim.report import figures
from jobsim.report.figures import (
    PodStories,
    charts,
    timeline_by_job,
    timeline_by_node,
)
from jobsim.results import Result
from jobsim.stats import CronJobStats
from jobsim.unfinished import unfinished
from jobsim.units import format_bytes, format_quantity_millis
from jobsim.version import __version__

__all__ = ["MAX_NARRATIVE", "report_html"]

MAX_EVENT_ROWS = 40
"""A CronJob's Events the report lists: past this many, the first and last half of it."""

MAX_NARRATIVE = 3000
"""The narrated lines the page holds at most (``jobsim explain`` prints them all)."""
OPEN_NARRATIVE = 120
"""A narrative up to this long is shown open; a longer one starts folded."""

_OUTSIDE = frozenset(
    {
        Kind.NODE_DOWN,
        Kind.NODE_UP,
        Kind.NODE_CORDONED,
        Kind.NODE_ADDED,
        Kind.NODE_REMOVED,
        Kind.JOB_SPEC_CHANGED,
        Kind.JOB_DELETED,
        Kind.JOB_DELETING,
        Kind.EVENT_IGNORED,
    }
)
_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "responsive": True,
    "scrollZoom": False,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
}
_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  margin: 0 auto; max-width: 1280px; padding: 0 24px 48px; color: #1f2328; line-height: 1.45; }
h1 { font-size: 1.7em; margin: 24px 0 4px; }
h2 { font-size: 1.3em; margin: 36px 0 8px; padding-bottom: 4px; border-bottom: 1px solid #d0d7de; }
h3 { font-size: 1.05em; margin: 18px 0 6px; }
.sub { color: #57606a; margin: 0 0 8px; }
table { border-collapse: collapse; margin: 6px 0 12px; font-size: 0.92em; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.Complete { color: #1a7f37; font-weight: 600; }
.Failed { color: #cf222e; font-weight: 600; }
.other { color: #9a6700; font-weight: 600; }
.note { background: #fff8c5; border: 1px solid #d4a72c; padding: 6px 10px; border-radius: 4px; }
.warn { background: #ffebe9; border: 1px solid #ff8182; padding: 6px 10px; border-radius: 4px; }
pre { background: #f6f8fa; padding: 10px; overflow-x: auto; font-size: 0.85em; }
details > summary { cursor: pointer; font-weight: 600; margin: 6px 0; }
.narrative td:first-child { white-space: nowrap; text-align: right;
  font-variant-numeric: tabular-nums; color: #57606a; }
#jobs td:first-child, #statistics td:first-child { white-space: nowrap; }
tr.group th { background: #ddf4ff; text-align: left; font-weight: 600; }
tr.more td { color: #57606a; font-style: italic; }
.cronjob { border-left: 3px solid #54aeff; padding: 2px 0 2px 12px; margin: 10px 0 18px; }
.cronjob ul { margin: 4px 0 8px; padding-left: 20px; }
.Warning { color: #cf222e; font-weight: 600; }
.narrative td { border: none; border-bottom: 1px solid #eaeef2; padding: 2px 8px; }
.figure { border: 1px solid #d0d7de; border-radius: 6px; padding: 4px; margin: 8px 0 16px; }
"""


def _e(x: object) -> str:
    return html.escape(str(x))


def _t(x: float | None) -> str:
    return "-" if x is None else fmt_seconds(x)


def _n(x: float, places: int = 3) -> str:
    text = f"{x:,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _table(cols: list[str], rows: list[Row], numeric: tuple[str, ...] = ()) -> str:
    """A table of already-escaped cells; ``numeric`` columns right-aligned."""
    return _grouped_table(cols, [(None, rows)], numeric)


Row = list[str] | str
"""A row of escaped cells, or a note across all the columns (escaped HTML)."""

Group = tuple[str | None, list[Row]]
"""A header (escaped HTML; None: no header row) and its rows."""


def _grouped_table(cols: list[str], groups: list[Group], numeric: tuple[str, ...] = ()) -> str:
    """A table of already-escaped cells in groups, each under a header row across all the
    columns; ``numeric`` columns right-aligned."""
    head = "".join(f"<th>{_e(c)}</th>" for c in cols)
    body = []
    for header, rows in groups:
        if header is not None:
            body.append(f'<tr class="group"><th colspan="{len(cols)}">{header}</th></tr>')
        body.extend(
            f'<tr class="more"><td colspan="{len(cols)}">{r}</td></tr>'
            if isinstance(r, str)
            else "<tr>"
            + "".join(
                f'<td class="n">{v}</td>' if c in numeric else f"<td>{v}</td>"
                for c, v in zip(cols, r, strict=True)
            )
            + "</tr>"
            for r in rows
        )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _cronjob_of(result: Result) -> dict[str, str | None]:
    """Each Job's CronJob (``namespace/name``), None for a Job of its own."""
    return {key: j.cronJob for key, j in result.recorder.jobs.items()}


def _left_out(result: Result) -> dict[str, str]:
    """The Jobs the tables leave out, each with its CronJob: of a CronJob with more than
    ``ELIDE_ABOVE`` Jobs, all but the first and last few (``jobsim.elide``)."""
    owner = _cronjob_of(result)
    made: dict[str, list[str]] = {}
    for key in result.recorder.jobs:
        cron = owner.get(key)
        if cron is not None:
            made.setdefault(cron, []).append(key)
    out: dict[str, str] = {}
    for cron, keys in made.items():
        first, hidden, _ = elide(keys)
        out.update(dict.fromkeys(keys[len(first) : len(first) + hidden], cron))
    return out


def _thin(keyed: list[tuple[str, list[str]]], left_out: dict[str, str]) -> list[Row]:
    """The rows of the Jobs ``keyed`` names, those left out replaced by one row per CronJob
    saying how many, where the first of them was."""
    counts = Counter(left_out.values())
    said: set[str] = set()
    out: list[Row] = []
    for key, row in keyed:
        cron = left_out.get(key)
        if cron is None:
            out.append(row)
        elif cron not in said:
            said.add(cron)
            out.append(_e(more_jobs(counts[cron], cron)))
    return out


def _by_cronjob(result: Result, items: list[Any], key: Any) -> list[tuple[str | None, list[Any]]]:
    """``items`` (each naming a Job by ``key(item)``) grouped: the Jobs of no CronJob first,
    then each CronJob's, in order of its creation; the items' order kept within a group."""
    owner = _cronjob_of(result)
    order = {c: i for i, c in enumerate(result.recorder.cronjobs)}
    groups: dict[str | None, list[Any]] = {}
    for item in items:
        groups.setdefault(owner.get(key(item)), []).append(item)
    return sorted(groups.items(), key=lambda g: -1 if g[0] is None else order.get(g[0], len(order)))


def _cronjob_header(result: Result, cron: str | None) -> str | None:
    """The row naming a CronJob over its Jobs, with the summary of them (None: Jobs of their
    own, under no row when no CronJob is in the run)."""
    if cron is None:
        return "Jobs of their own" if result.recorder.cronjobs else None
    stats = {c.cronJob: c for c in result.stats.cronJobs}.get(cron)
    words = [f"CronJob {cron}"]
    created = result.recorder.cronjobs.get(cron)
    if created is not None:
        words.append(_schedule_words(result, cron))
    if stats is not None:
        words.extend(_cron_jobs_words(stats, "wall time"))
    return _e(" · ".join(w for w in words if w))


def _cron_jobs_words(stats: CronJobStats, wall: str) -> list[str]:
    """A CronJob's Jobs by outcome and their wall times (``wall`` names them)."""
    outcomes = ", ".join(f"{k} {_n(v)}" for k, v in stats.jobsByOutcome.items())
    words = [f"{_n(stats.jobs)} Jobs: {outcomes}"]
    if stats.meanWallTime is not None and stats.maxWallTime is not None:
        words.append(
            f"{wall} {fmt_seconds(stats.meanWallTime)} mean, "
            f"{fmt_seconds(stats.maxWallTime)} longest"
        )
    return words


def _schedule_words(result: Result, cron: str) -> str:
    """The CronJob's schedule as its creation was recorded ("schedule '0 1 * * *'")."""
    for _, _t0, _, subject, _, _, _, text in result.recorder.select(Kind.CRONJOB_CREATED):
        if subject == cron:
            return str(text)
    return ""


def _figure(fig: go.Figure, div_id: str) -> str:
    inner: str = fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id, config=_CONFIG)
    return f'<div class="figure">{inner}</div>'


def _scenario(result: Result, lines: list[Line], source: str | None, name: str | None) -> str:
    rec = result.recorder
    pools: Counter[tuple[str, str]] = Counter()
    for node in rec.nodes.values():
        cap = node.capacity or {}
        parts = []
        if "cpu" in cap:
            parts.append(f"cpu {format_quantity_millis(cap['cpu'])}")
        if "memory" in cap:
            parts.append(f"memory {format_bytes(cap['memory'])}")
        if "pods" in cap:
            parts.append(f"{cap['pods']} pods")
        pools[(node.pool, ", ".join(parts) or "capacity unknown")] += 1
    cluster = _table(
        ["node pool", "nodes", "each node allocatable"],
        [[_e(pool), _n(n), _e(cap)] for (pool, cap), n in pools.items()],
        ("nodes",),
    )
    submitted = [ln for ln in lines if ln.kind is Kind.JOB_SUBMITTED]
    left_out = _left_out(result)
    jobs = _grouped_table(
        ["submitted", "Job, as the API server defaulted it"],
        [
            (
                _cronjob_header(result, cron),
                _thin(
                    [
                        (str(ln.subject), [_e(f"t={fmt_seconds(ln.t)}"), _e(ln.text)])
                        for ln in group
                    ],
                    left_out,
                ),
            )
            for cron, group in _by_cronjob(result, submitted, lambda ln: ln.subject)
        ],
    )
    owner = _cronjob_of(result)
    outside = [
        ln
        for ln in lines
        if ln.kind in _OUTSIDE
        and not (ln.kind is Kind.NODE_ADDED and ln.t == 0)
        # a CronJob's own deletions are its controller's: in its Events, not outside
        and not (
            ln.kind is Kind.JOB_DELETED and owner.get(ln.subject) and CRONJOB_DELETE in ln.text
        )
    ]
    actions = set(_cronjob_actions(result))  # the user's updates of CronJobs are outside too
    outside += [ln for ln in lines if ln.kind is Kind.CRONJOB_EVENT and (ln.t, ln.text) in actions]
    outside.sort(key=lambda ln: ln.t)
    events = (
        _table(["t", "event"], [[_e(f"t={fmt_seconds(ln.t)}"), _e(ln.text)] for ln in outside])
        if outside
        else "<p>No outside events: nodes stay up, no Job is changed or deleted.</p>"
    )
    parts = [
        '<section id="scenario"><h2>Scenario</h2>',
        f"<h3>Cluster ({_n(len(rec.nodes))} nodes)</h3>{cluster}",
        f"<h3>Jobs ({_n(len(rec.jobs))})</h3>{jobs}",
        f"<h3>Outside events</h3>{events}",
    ]
    if source is not None:
        title = f"The input file ({name})" if name else "The input file"
        parts.append(f"<details><summary>{_e(title)}</summary><pre>{_e(source)}</pre></details>")
    parts.append("</section>")
    return "\n".join(parts)


def _cronjob_actions(result: Result) -> list[tuple[float, str]]:
    """(t, narrated text) of each thing the user did to a CronJob (an update, a Job made
    from it): outside events, not the controller's Events."""
    return [
        (t, describe(kind, subject, reason, a, b, text))
        for _, t, kind, subject, reason, a, b, text in result.recorder.select(Kind.CRONJOB_EVENT)
        if reason in OUTSIDE_CRONJOB_REASONS
    ]


def _cronjobs(result: Result) -> str:
    """Each CronJob: its schedule, status, the summary of its Jobs and its Events."""
    rec = result.recorder
    if not rec.cronjobs:
        return ""
    stats = {c.cronJob: c for c in result.stats.cronJobs}
    events: dict[str, list[tuple[float, str, bool, str]]] = {}
    for _, t, _, subject, reason, warning, _, text in rec.select(Kind.CRONJOB_EVENT):
        if reason not in OUTSIDE_CRONJOB_REASONS:  # the user's actions are outside events
            events.setdefault(subject, []).append((t, str(reason), bool(warning), str(text)))
    parts = [
        '<section id="cronjobs"><h2>CronJobs</h2>',
        '<p class="sub">Each CronJob makes its Jobs by its schedule (listed under it in the '
        "tables below); its status is as the controller last wrote it, its Events as "
        "<code>kubectl describe cronjob</code> shows them.</p>",
    ]
    for key, cj in rec.cronjobs.items():
        st = cj.get("status") or {}
        active = st.get("active") or []
        facts = [
            f"{_schedule_words(result, key)}; created at t={fmt_seconds(cj['createdAt'])}",
            f"status: lastScheduleTime {_t(st.get('lastScheduleTime'))}, lastSuccessfulTime "
            f"{_t(st.get('lastSuccessfulTime'))}, active "
            + (", ".join(active) if active else "none"),
        ]
        c = stats.get(key)
        if c is None:
            facts.append("no Job made")
        else:
            facts.extend(_cron_jobs_words(c, "wall time of the finished ones"))
            facts.append(
                f"pod-seconds: {_n(c.usefulPodSeconds)} useful, {_n(c.wastedPodSeconds)} wasted"
            )
        own = events.get(key, [])
        counts = Counter((reason, warning) for _, reason, warning, _ in own)
        said = ", ".join(
            f'<span class="{"Warning" if w else "Normal"}">{_e(r)}</span> ×{_n(n)}'
            for (r, w), n in counts.items()
        )

        def event_row(t: float, r: str, w: bool, m: str) -> list[str]:
            kind = '<span class="Warning">Warning</span>' if w else "Normal"
            return [_e(f"t={fmt_seconds(t)}"), kind, _e(r), _e(m)]

        half = MAX_EVENT_ROWS // 2
        first, hidden, last = elide(own, MAX_EVENT_ROWS, half, half)
        rows: list[Row] = [event_row(*e) for e in first]
        if hidden:
            rows.append(_e(f"… {hidden:,} more Events (jobsim explain narrates them all)"))
        rows += [event_row(*e) for e in last]
        table = _table(["t", "type", "reason", "message"], rows)
        opened = " open" if len(own) <= 12 else ""
        shown = (
            f"all {_n(len(own))}" if not hidden else f"the first and last {half} of {_n(len(own))}"
        )
        parts.append(
            f'<div class="cronjob"><h3>CronJob {_e(key)}</h3>'
            "<ul>"
            + "".join(f"<li>{_e(f)}</li>" for f in facts)
            + "</ul>"
            + (
                f"<p>Events: {said}</p>"
                f"<details{opened}><summary>{shown} Events</summary>{table}</details>"
                if own
                else "<p>No Events.</p>"
            )
            + "</div>"
        )
    parts.append("</section>")
    return "\n".join(parts)


def _jobs(result: Result) -> str:
    grouped = bool(result.recorder.cronjobs)
    deleted = {key: j.deletedAt for key, j in result.recorder.jobs.items()}
    rows: dict[str, list[str]] = {}
    for j in result.jobs():
        st = j["status"]
        key = f"{j['namespace']}/{j['name']}"
        gone = [_t(deleted.get(key))] if grouped else []
        if "managedBy" in j:
            rows[key] = [
                _e(key),
                "not managed",
                _e(f"managedBy {j['managedBy']}"),
                *["-"] * 5,
                "0",
                *gone,
            ]
            continue
        what, reason = job_outcome(st, deleted.get(key))
        end = job_finished_at(st)
        start = st.get("startTime")
        cls = what if what in ("Complete", "Failed") else "other"
        rows[key] = [
            _e(key),
            f'<span class="{cls}">{_e(what)}</span>',
            _e(reason or "-"),
            _t(start),
            _t(end),
            _t(None if end is None or start is None else end - start),
            _n(st.get("succeeded", 0)),
            _n(st.get("failed", 0)),
            _n(j["podsCreated"]),
            *gone,
        ]
    cols = ["Job", "outcome", "reason", "start", "finished", "duration"]
    cols += ["succeeded", "failed", "pods created"] + (["deleted"] if grouped else [])
    numeric = ("start", "finished", "duration", "succeeded", "failed", "pods created", "deleted")
    left_out = _left_out(result)
    groups: list[Group] = [
        (_cronjob_header(result, cron), _thin([(k, rows[k]) for k in keys], left_out))
        for cron, keys in _by_cronjob(result, list(rows), lambda k: k)
    ]
    parts = [
        '<section id="jobs"><h2>Jobs: outcome and conditions</h2>',
        _grouped_table(cols, groups, numeric),
    ]
    for u in unfinished(result):
        parts.append(f'<p class="note">{_e(f"t={fmt_seconds(u.t)}  {u.text}")}</p>')
    crow = _thin(
        [
            (
                f"{j['namespace']}/{j['name']}",
                [
                    _e(f"{j['namespace']}/{j['name']}"),
                    _e(c["type"]),
                    _e(c["status"]),
                    _e(c.get("reason", "")),
                    _e(c.get("message", "")),
                    _t(c.get("lastTransitionTime")),
                ],
            )
            for j in result.jobs()
            for c in j["status"].get("conditions", [])
        ],
        left_out,
    )
    if crow:
        ccols = ["Job", "type", "status", "reason", "message", "lastTransitionTime"]
        table = _table(ccols, crow, ("lastTransitionTime",))
        title = "<h3>Conditions (each Job's status.conditions at the end of the run)</h3>"
        if len(crow) > 20:
            table = f"<details><summary>{_n(len(crow))} conditions</summary>{table}</details>"
        parts.append(title + table)
    parts.append("</section>")
    return "\n".join(parts)


def _timelines(result: Result, stories: PodStories) -> str:
    pods = len(result.lives.pods)
    note = ""
    if pods > figures.MAX_POD_BARS:
        most = _n(figures.MAX_POD_BARS)
        note = (
            f'<p class="note">This run created {_n(pods)} pods, more than {most}: '
            "to keep the page small and quick, the timelines show how many pods run in each "
            "Job and on each node over time instead of one bar per pod. "
            "<code>jobsim plot</code> and <code>jobsim run --out</code> give every pod.</p>"
        )
    how = (
        "<p class=\"sub\">Each bar is a stretch of a pod's life; hover over it for the pod's "
        "phases, runs, exit codes and node, and the narrated lines of why it was created and "
        "deleted. Drag to zoom in, double-click to zoom out; click a legend entry to hide "
        "it.</p>"
    )
    return "\n".join(
        [
            '<section id="timelines"><h2>Timelines</h2>',
            how,
            note,
            _figure(timeline_by_job(result, stories), "timeline-job"),
            _figure(timeline_by_node(result, stories), "timeline-node"),
            "</section>",
        ]
    )


def _stats(result: Result) -> str:
    st = result.stats
    rows = {
        j.job: [
            _e(j.job),
            _e(j.outcome),
            _t(j.waitUntilRunning),
            _t(j.wallTime),
            _n(j.attempts),
            _n(j.reExecutions),
            _n(len(j.overlappingExecutions)),
            _e(", ".join(f"{c}×{_n(n)}" for c, n in j.failuresByExitCode.items()) or "-"),
            _e(", ".join(f"{c}×{_n(n)}" for c, n in j.failuresByReason.items()) or "-"),
            _n(j.wastedPodSeconds),
            _n(j.usefulPodSeconds),
        ]
        for j in st.jobs
    }
    left_out = _left_out(result)
    groups: list[Group] = [
        (_cronjob_header(result, cron), _thin([(k, rows[k]) for k in keys], left_out))
        for cron, keys in _by_cronjob(result, list(rows), lambda k: k)
    ]
    cols = ["Job", "outcome", "wait to run", "wall time", "attempts", "re-executions"]
    cols += ["overlaps", "failures (exit code×n)", "failures (reason×n)"]
    cols += ["wasted pod-s", "useful pod-s"]
    numeric: tuple[str, ...] = ("wait to run", "wall time", "attempts", "re-executions")
    numeric += ("overlaps", "wasted pod-s", "useful pod-s")
    by_outcome = ", ".join(f"{k} {_n(v)}" for k, v in st.jobsByOutcome.items()) or "none"
    facts = [
        f"observation window 0s–{fmt_seconds(st.windowEnd)}; makespan {fmt_seconds(st.makespan)}",
        f"Jobs: {by_outcome}",
    ]
    if st.nodeHours is not None:
        nodes = "?" if st.nodes is None else _n(st.nodes)
        facts.append(f"{nodes} nodes, {_n(st.nodeHours, 2)} node-hours")
    if st.cpu is not None and st.memory is not None:
        facts.append(
            f"cpu requested {st.cpu.meanUtilisation:.0%} mean, {st.cpu.peakUtilisation:.0%} "
            f"peak; memory {st.memory.meanUtilisation:.0%} mean, "
            f"{st.memory.peakUtilisation:.0%} peak (of allocatable)"
        )
    facts.append(f"pending pods {_n(st.meanPending, 2)} mean, {_n(st.peakPending)} peak")
    facts.append(f"pod-seconds: {_n(st.usefulPodSeconds)} useful, {_n(st.wastedPodSeconds)} wasted")
    warnings = "".join(f'<p class="warn">warning: {_e(w)}</p>' for w in st.warnings)
    return "\n".join(
        [
            '<section id="statistics"><h2>Statistics</h2>',
            '<p class="sub">Pod-seconds are time in container runs; a run is useful when it '
            "exited 0 and its pod was counted succeeded, wasted otherwise (see "
            "<code>jobsim.stats</code>).</p>",
            _grouped_table(cols, groups, numeric),
            "<ul>" + "".join(f"<li>{_e(f)}</li>" for f in facts) + "</ul>",
            warnings,
            _figure(charts(result), "charts"),
            "</section>",
        ]
    )


def _narrative(lines: list[Line], extra: list[Line]) -> str:
    shown = lines[:MAX_NARRATIVE]
    rows = "".join(
        f"<tr><td>t={_e(fmt_seconds(ln.t))}</td><td>{_e(ln.text)}</td></tr>"
        for ln in [*shown, *extra]
    )
    total = len(shown) + len(extra)
    cut = ""
    if len(lines) > MAX_NARRATIVE:
        cut = (
            f'<p class="note">The first {_n(MAX_NARRATIVE)} of {_n(len(lines))} lines; '
            "<code>jobsim explain</code> prints them all.</p>"
        )
    opened = " open" if total <= OPEN_NARRATIVE else ""
    return "\n".join(
        [
            '<section id="narrative"><h2>What happened, and why</h2>',
            '<p class="sub">One line per decision, with its rule and numbers, as '
            "<code>jobsim explain</code> prints it.</p>",
            cut,
            f"<details{opened}><summary>{_n(total)} lines</summary>",
            f'<table class="narrative"><tbody>{rows}</tbody></table></details>',
            "</section>",
        ]
    )


def report_html(
    result: Result, *, source: str | None = None, source_name: str | None = None
) -> str:
    """The report of ``result`` as one HTML page; ``source`` is the input file's text (shown
    folded, under ``source_name``)."""
    lines = explain(result)
    extra = [Line(u.t, u.job, u.job, u.text) for u in unfinished(result)]
    stories = PodStories(result, lines)
    title = f"jobsim report: {result.scenario}"
    head = (
        f"<h1>{_e(title)}</h1>"
        f'<p class="sub">seed {_e(result.seed)} · run ends at t={_e(fmt_seconds(result.end))} · '
        f"jobsim {_e(__version__)} · every time is virtual time, written as Go writes "
        "durations</p>"
    )
    body = "\n".join(
        [
            head,
            _scenario(result, lines, source, source_name),
            _cronjobs(result),
            _jobs(result),
            _timelines(result, stories),
            _stats(result),
            _narrative(lines, extra),
        ]
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style>"
        f'<script type="text/javascript">{get_plotlyjs()}</script>'
        f"</head><body>\n{body}\n</body></html>\n"
    )
