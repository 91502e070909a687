"""``jobsim run | validate | plot | explain | report | parity | compare | sweep | search |
import | completion``: the command line. The only module that prints."""

# No ``from __future__ import annotations`` here: typer reads every command's signature two or
# three times on each start (typing.get_type_hints), and string annotations cost a compile and
# an eval each time (about 5 % of ``jobsim validate``). Names imported only for type checking
# are quoted instead.

import copy
import errno
import gc
import json
import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, NoReturn, TypeVar

import typer

from jobsim import api  # each name is imported on first use: --help loads no simulator
from jobsim.api import __version__, fmt_seconds
from jobsim.api import job_outcome as outcome

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from jobsim.api import (
        BareOptions,
        Comparison,
        DumpError,
        Imported,
        JobComparison,
        Result,
        Scenario,
        SearchResult,
        Sweep,
    )

app = typer.Typer(
    add_completion=True,  # --install-completion, --show-completion; `jobsim completion SHELL`
    no_args_is_help=True,
    help="jobsim: replay Kubernetes Jobs on a simulated cluster, in virtual time.",
    # click's plain help: typer's rich help imports rich's Markdown, Syntax and their
    # parsers (markdown-it, pygments) on every --help, 30 % of its start-up
    rich_markup_mode=None,
    pretty_exceptions_enable=False,  # errors are jobsim's own messages; --debug shows more
)


class _LazyConsole:
    """A rich ``Console`` made on first use, with the options given: ``--version``,
    ``validate`` and most errors print only plain lines, and so never import rich (about a
    tenth of ``validate``'s start-up)."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    def real(self) -> "Console":
        """The console (made now if not yet)."""
        if self._console is None:
            from rich import console as rich

            self._console = rich.Console(**self._options)
        return self._console

    @property
    def width(self) -> int:
        """The console's width (``COLUMNS`` sets it: ``_options``)."""
        return self.real().width

    @width.setter
    def width(self, value: int) -> None:
        if self._console is None:
            self._options["width"] = value  # what Console(width=) and .width = do alike
        else:
            self._console.width = value

    def print(self, *objects: Any, **options: Any) -> None:
        """``Console.print``. One line of printable ASCII with markup off, while the console
        does not exist yet, is written as is: what rich writes for it (soft wrap, no
        highlighting or emoji, no style), flushed, a closed pipe handled as rich does."""
        if (
            self._console is None
            and options == {"markup": False}
            and len(objects) == 1
            and isinstance(objects[0], str)
            and objects[0].isascii()
            and objects[0].isprintable()
        ):
            stream = sys.stderr if self._options.get("stderr") else sys.stdout
            try:
                stream.write(objects[0] + "\n")
                stream.flush()
            except BrokenPipeError:  # rich's Console.on_broken_pipe
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
                raise SystemExit(1) from None
            return
        self.real().print(*objects, **options)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # not the console's (nor ours before __init__)
            raise AttributeError(name)
        return getattr(self.real(), name)


out = _LazyConsole(
    highlight=False, emoji=False, soft_wrap=True, width=None if sys.stdout.isatty() else 160
)
err = _LazyConsole(stderr=True, highlight=False, emoji=False, soft_wrap=True)
T = TypeVar("T")


def _version(value: bool) -> None:
    if value:
        out.print(f"jobsim {__version__}", markup=False)
        raise typer.Exit(0)


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_version, help="Print jobsim's version and exit."
        ),
    ] = False,
) -> None:
    """jobsim: replay Kubernetes Jobs on a simulated cluster, in virtual time."""
    # Tables fit the terminal; piped, 160 columns unless COLUMNS says otherwise.
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        out.width = int(columns)


DebugOpt = Annotated[bool, typer.Option("--debug", help="Show tracebacks of internal errors.")]
SeedOpt = Annotated[int | None, typer.Option(help="Override the scenario's seed.", min=0)]
FileArg = Annotated[
    Path,
    typer.Argument(
        help="A scenario, or Kubernetes manifests (batch/v1 Jobs; several documents, a List); "
        "- reads standard input."
    ),
]
_BARE = "bare manifests (not a scenario)"
NodesOpt = Annotated[
    int | None, typer.Option("--nodes", help=f"{_BARE}: nodes in the cluster [default: 3]")
]
NodeCpuOpt = Annotated[
    str | None, typer.Option("--node-cpu", help=f"{_BARE}: each node's cpu [default: 4]")
]
NodeMemoryOpt = Annotated[
    str | None,
    typer.Option("--node-memory", help=f"{_BARE}: each node's memory [default: 16Gi]"),
]
DurationOpt = Annotated[
    str | None,
    typer.Option("--duration", help=f"{_BARE}: how long every container runs [default: 10s]"),
]
FailRateOpt = Annotated[
    float | None,
    typer.Option("--fail-rate", help=f"{_BARE}: probability a run fails [default: 0]"),
]
ExitCodeOpt = Annotated[
    int | None,
    typer.Option("--exit-code", help=f"{_BARE}: the failing runs' exit code [default: 1]"),
]
HorizonOpt = Annotated[
    str | None,
    typer.Option(
        "--horizon",
        help=f"{_BARE}: stop the run after this much virtual time (a Go duration) "
        "[default: 24h with a CronJob, else when all is done]",
    ),
]

ReleaseOpt = Annotated[
    str | None,
    typer.Option(
        "--kubernetes-version",
        help="Run on this Kubernetes release (1.29-1.36): its feature gates, admission and "
        "validation; as the scenario key kubernetesVersion [default: the scenario's, else the "
        "newest].",
    ),
]
GatesOpt = Annotated[
    str | None,
    typer.Option(
        "--feature-gates",
        help="Feature gates (the Job gates, MatchLabelKeysInPodAffinity, "
        "SchedulerPopFromBackoffQ) set over the "
        "scenario's featureGates, as kube-apiserver's flag: "
        "JobManagedBy=false,JobSuccessPolicy=true (a gate locked in the release is refused).",
    ),
]


@dataclass(frozen=True)
class Release:
    """``--kubernetes-version`` and ``--feature-gates``, read."""

    version: str | None = None
    gates: dict[str, bool] | None = None


def _release(version: str | None, gates: str | None) -> Release:
    """The release options, checked as far as they go alone; a bad one: its problem, exit 2."""
    try:
        parsed = None if gates is None else api.parse_feature_gates(gates)
        if version is not None or parsed:
            api.feature_gates(version, parsed if version is not None else None)
    except api.FeatureGateError as e:
        bad_release = str(e).startswith("unknown Kubernetes release")
        flag = "--kubernetes-version" if bad_release else "--feature-gates"
        err.print(f"{flag}: {e}", markup=False)
        raise typer.Exit(2) from None
    return Release(version, parsed or None)


def _guard(debug: bool, fn: Callable[[], T]) -> T:
    """Bad input: its problems and exit 1. An internal error: one line and exit 70."""
    try:
        return fn()
    except api.ScenarioError as e:
        for line in e.lines:
            err.print(line, markup=False)
        raise typer.Exit(1) from None
    except api.FeatureGateError as e:  # --kubernetes-version/--feature-gates with the file's
        bad_release = str(e).startswith("unknown Kubernetes release")
        flag = "--kubernetes-version" if bad_release else "--feature-gates"
        err.print(f"{flag}: {e}", markup=False)
        raise typer.Exit(2) from None
    except api.RunStuck as e:  # zero delays all round: the run would never end
        err.print(f"error: {e}", markup=False)
        raise typer.Exit(1) from None
    except (api.SweepError, api.PathError, api.MetricError) as e:  # an experiment that cannot start
        err.print(f"error: {e}", markup=False)
        raise typer.Exit(1) from None
    except api.InvariantViolation as e:  # --check: the controller wrote a status the API rejects
        err.print(f"invariant violated: {e} (a jobsim bug; please report it)", markup=False)
        raise typer.Exit(3) from None
    except OSError as e:  # writing an output file: the user's path, not a jobsim bug
        where = f"{e.filename}: " if e.filename else ""
        err.print(f"error: {where}{e.strerror or e}", markup=False)
        raise typer.Exit(1) from None
    except Exception as e:
        if debug:
            traceback.print_exc()
        else:
            err.print(
                f"internal error: {type(e).__name__}: {e} "
                "(this is a jobsim bug; rerun with --debug for the traceback)",
                markup=False,
            )
        raise typer.Exit(70) from None


def _t(x: Any) -> str:
    """A duration as Go writes it (51m27.38s, 500ms); ``-`` for none."""
    return "-" if x is None else fmt_seconds(x)


def _n(x: float, places: int = 3) -> str:
    """A number with thousands separators and at most ``places`` decimals: 12,345.5."""
    text = f"{x:,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _grouped(
    items: list[T],
    cron_of: Callable[[T], str | None],
    row: Callable[[T], list[str]],
    summary: Callable[[str, list[T]], list[str]],
) -> list[list[str]]:
    """Each item's row, in order; or, when a CronJob has more than ``ELIDE_ABOVE`` Jobs,
    grouped: the Jobs of no CronJob, then each CronJob's summary row over its Jobs (the first
    and last few of many, with a row saying how many are left out)."""
    groups: dict[str | None, list[T]] = {}
    for item in items:
        groups.setdefault(cron_of(item), []).append(item)
    if all(c is None or len(g) <= api.ELIDE_ABOVE for c, g in groups.items()):
        return [row(i) for i in items]
    rows = [row(i) for i in groups.pop(None, [])]
    for cron, group in groups.items():
        if cron is None:  # popped above: for mypy
            continue
        top = summary(cron, group)
        first, hidden, last = api.elide(group)
        under = [row(i) for i in first]
        if hidden:
            under.append([api.more_jobs(hidden, cron), *[""] * (len(top) - 1)])
        under += [row(i) for i in last]
        rows += [top, *([f"  {r[0]}", *r[1:]] for r in under)]
    return rows


def _outcomes(whats: list[str]) -> str:
    """How many Jobs ended each way: "Complete 1,437, Failed 2"."""
    counts: dict[str, int] = {}
    for w in whats:
        counts[w] = counts.get(w, 0) + 1
    return ", ".join(f"{w} {_n(n)}" for w, n in counts.items())


def _summary(result: "Result") -> None:
    cols = [
        "job",
        "outcome",
        "reason",
        "start",
        "finished",
        "duration",
        "succeeded",
        "failed",
        "pods created",
    ]

    def row(j: dict[str, Any]) -> list[str]:
        st = j["status"]
        if "managedBy" in j:
            return [j["name"], "not managed", f"managedBy {j['managedBy']}", *["-"] * 5, "0"]
        what, reason = outcome(st, j["deletedAt"])
        end = api.job_finished_at(st)
        start = st.get("startTime")
        dur = None if end is None or start is None else end - start
        return [
            j["name"],
            what,
            reason,
            _t(start),
            _t(end),
            _t(dur),
            _n(st.get("succeeded", 0)),
            _n(st.get("failed", 0)),
            _n(j["podsCreated"]),
        ]

    def summary(cron: str, jobs: list[dict[str, Any]]) -> list[str]:
        starts = [j["status"]["startTime"] for j in jobs if "startTime" in j["status"]]
        ends = [e for j in jobs if (e := api.job_finished_at(j["status"])) is not None]
        return [
            f"CronJob {cron}",
            f"{_n(len(jobs))} Jobs",
            _outcomes([outcome(j["status"], j["deletedAt"])[0] for j in jobs]),
            _t(min(starts, default=None)),
            _t(max(ends, default=None)),
            "-",
            _n(sum(j["status"].get("succeeded", 0) for j in jobs)),
            _n(sum(j["status"].get("failed", 0) for j in jobs)),
            _n(sum(j["podsCreated"] for j in jobs)),
        ]

    rows = _grouped(result.jobs(), lambda j: j.get("cronJob"), row, summary)
    title = f"scenario {result.scenario} (seed {result.seed})"
    optional = ("start", "finished", "pods created", "succeeded", "failed", "duration")
    out.print(_table(title, cols, rows, optional=optional))
    for u in api.unfinished(result):
        out.print(f"t={fmt_seconds(u.t)}  {u.text}", markup=False)
    for line in _cronjob_notes(result):
        out.print(line, markup=False)


def _cronjob_notes(result: "Result") -> list[str]:
    """A line for each CronJob that made no Job or ends suspended: the tables say nothing
    of a CronJob without Jobs."""
    made: dict[str, int] = {}
    for j in result.recorder.jobs.values():
        if j.cronJob is not None:
            made[j.cronJob] = made.get(j.cronJob, 0) + 1
    notes = []
    for key, cj in result.recorder.cronjobs.items():
        n = made.get(key, 0)
        jobs = f"it made {_n(n)} Job{'s' if n != 1 else ''}" if n else "it made no Job"
        if cj.get("suspend"):
            notes.append(f"CronJob {key} is suspended (spec.suspend: true): {jobs}")
        elif not n:
            notes.append(f"CronJob {key} made no Job in the run")
    return notes


def _expect(result: "Result", expect: str | None) -> None:
    """``--expect Complete|Failed``: exit 1, naming each Job that ended otherwise and how."""
    if expect is None:
        return
    other = [
        (j["name"], "not managed" if "managedBy" in j else outcome(j["status"], j["deletedAt"])[0])
        for j in result.jobs()
    ]
    wrong = [(name, what) for name, what in other if what != expect]
    if wrong:
        jobs = ", ".join(f"{name} ended {what}" for name, what in wrong)
        err.print(f"expected every Job {expect}: {jobs}", markup=False)
        raise typer.Exit(1)


def _table(
    title: str,
    cols: list[str],
    rows: list[list[str]],
    key: tuple[str, ...] = ("job", "outcome", "reason"),
    optional: tuple[str, ...] = (),
    left: tuple[str, ...] = (),
) -> "Table":
    """A table whose key columns never wrap and whose values stay whole (other headers wrap
    between words); when the console is too narrow for that, the optional columns go first,
    in order."""

    def least(i: int) -> int:  # the narrowest column i can be without cutting a word
        words = [cols[i]] if cols[i] in key else cols[i].split()
        if cols[i] in left:  # a list such as "42×1, 143×1" may wrap after its commas
            words += [w for r in rows for w in r[i].split()]
        else:
            words += [r[i] for r in rows]
        return max(len(w) for w in words)

    widths = [least(i) for i in range(len(cols))]

    from rich.cells import cell_len
    from rich.table import Table

    def make(keep: list[int]) -> "Table":
        table = Table(title=title)
        for i in keep:
            justify: Literal["left", "right"] = "left" if cols[i] in (*key, *left) else "right"
            no_wrap = cols[i] in key
            table.add_column(cols[i], justify=justify, no_wrap=no_wrap, min_width=widths[i])
        for r in rows:
            table.add_row(*(r[i] for i in keep))
        return table

    keep = list(range(len(cols)))
    table = make(keep)
    for name in optional:
        with out.capture() as shown:
            out.print(table)
        if max(map(cell_len, shown.get().splitlines()), default=0) <= out.width:
            break
        keep.remove(cols.index(name))
        table = make(keep)
    return table


def _timeline(result: "Result", limit: int) -> None:
    lines = result.timeline()
    out.print("timeline:")
    shown = (
        lines if len(lines) <= limit else [*lines[: limit // 2], (-1.0, "…"), *lines[-limit // 2 :]]
    )
    stamps = ["" if t < 0 else f"t={fmt_seconds(t)}" for t, _line in shown]
    width = max((len(s) for s in stamps), default=0)
    for stamp, (_when, line) in zip(stamps, shown, strict=True):
        out.print(f"  {stamp:>{width}}  {line}", markup=False)


def _warn(scenario: "Scenario") -> None:
    """Load-time warnings (e.g. a pod that fits no node), on stderr."""
    for w in scenario.warnings:
        err.print(f"warning: {w}", markup=False)


def _bare(
    nodes: int | None = None,
    node_cpu: str | None = None,
    node_memory: str | None = None,
    duration: str | None = None,
    fail_rate: float | None = None,
    exit_code: int | None = None,
    horizon: str | None = None,
) -> "BareOptions":
    """The bare-manifest options given on the command line, over the defaults."""
    given: dict[str, Any] = {
        "nodes": nodes,
        "node_cpu": node_cpu,
        "node_memory": node_memory,
        "duration": duration,
        "fail_rate": fail_rate,
        "exit_code": exit_code,
        "horizon": horizon,
    }
    set_ = {k: v for k, v in given.items() if v is not None}
    return api.BareOptions(**set_, given=tuple(set_))


def _stdin() -> str:
    """Standard input as text (at most 64 MiB, UTF-8), or its problem and exit 1."""
    try:
        return api.read_stream(sys.stdin.buffer)
    except api.YAMLProblem as e:
        err.print(f"<stdin>: {e}", markup=False)
        raise typer.Exit(1) from None


def _load(
    file: Path, debug: bool, bare: "BareOptions | None" = None, release: Release | None = None
) -> "Scenario":
    """A scenario file or bare manifests (``-``: standard input), loaded on the ``release``
    options; warnings printed."""
    text = _stdin() if str(file) == "-" else None
    r = release or Release()
    scenario: Scenario = _guard(
        debug,
        lambda: api.load_input(
            file, text=text, options=bare, kubernetes_version=r.version, feature_gates=r.gates
        ),
    )
    _warn(scenario)
    return scenario


def _simulate(
    file: Path,
    seed: int | None,
    debug: bool,
    check: bool = False,
    bare: "BareOptions | None" = None,
    release: Release | None = None,
) -> "Result":
    """Load and run a scenario or bare manifests (``check``: the invariant-checking debug
    mode) on the ``release`` options."""
    scenario = _load(file, debug, bare, release)
    result: Result = _guard(debug, lambda: api.simulate(scenario, seed, check=check))
    if scenario.horizon is None and result.end >= api.DEFAULT_HORIZON:
        err.print(
            f"warning: {file}: the scenario sets no horizon and Jobs were still running at "
            f"the default one, {fmt_seconds(api.DEFAULT_HORIZON)} of virtual time, where the run "
            "stopped; set `horizon:` to choose where it ends",
            markup=False,
        )
    return result


def _write(debug: bool, fn: Callable[[], object]) -> None:
    """Write an output file (a file system problem exits 1, see ``_guard``)."""
    _guard(debug, fn)


def _check_plot_path(path: Path) -> None:
    if path.suffix.lower() not in (".png", ".svg", ".pdf"):
        err.print(f"{path}: the output must end in .png, .svg or .pdf", markup=False)
        raise typer.Exit(2)


def _save_plot(debug: bool, result: "Result", path: Path, by: str, max_lanes: int) -> None:
    _check_plot_path(path)
    _write(debug, lambda: api.draw(result, path, by=by, max_lanes=max_lanes))  # type: ignore[arg-type]


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _cronjob_stats(groups: list[Any]) -> None:
    """The Jobs of each CronJob taken together (``stats.cronJobs``)."""
    cols = ["cronjob", "jobs", "outcomes", "mean wall time", "max wall time", "wasted pod-s"]
    rows = [
        [
            c.cronJob,
            _n(c.jobs),
            ", ".join(f"{k} {_n(v)}" for k, v in c.jobsByOutcome.items()),
            _t(c.meanWallTime),
            _t(c.maxWallTime),
            _n(c.wastedPodSeconds),
        ]
        for c in groups
    ]
    out.print(_table("by CronJob", cols, rows, ("cronjob",), (), ("outcomes",)))


def _stats(result: "Result") -> None:
    """Per-Job and per-run statistics, and warnings (overlapping executions)."""
    st = result.stats
    cols = [
        "job",
        "wait to run",
        "wall time",
        "attempts",
        "re-executions",
        "overlaps",
        "failures (exit code×n)",
        "wasted pod-s",
        "useful pod-s",
    ]

    def failures(counts: dict[str, int]) -> str:
        return ", ".join(f"{c}×{_n(n)}" for c, n in counts.items()) or "-"

    def row(j: Any) -> list[str]:
        return [
            j.name,
            _t(j.waitUntilRunning),
            _t(j.wallTime),
            _n(j.attempts),
            _n(j.reExecutions),
            _n(len(j.overlappingExecutions)),
            failures(j.failuresByExitCode),
            _n(j.wastedPodSeconds),
            _n(j.usefulPodSeconds),
        ]

    def summary(cron: str, jobs: list[Any]) -> list[str]:
        codes: dict[str, int] = {}
        for j in jobs:
            for c, n in j.failuresByExitCode.items():
                codes[c] = codes.get(c, 0) + n
        return [
            f"CronJob {cron}",
            "-",
            "-",
            _n(sum(j.attempts for j in jobs)),
            _n(sum(j.reExecutions for j in jobs)),
            _n(sum(len(j.overlappingExecutions) for j in jobs)),
            failures(codes),
            _n(sum(j.wastedPodSeconds for j in jobs)),
            _n(sum(j.usefulPodSeconds for j in jobs)),
        ]

    rows = _grouped(list(st.jobs), lambda j: j.cronJob, row, summary)
    title = "statistics (pod-seconds: time in runs; see jobsim.stats)"
    optional = (
        "overlaps",
        "re-executions",
        "attempts",
        "useful pod-s",
        "wasted pod-s",
        "wait to run",
        "wall time",
        "failures (exit code×n)",
    )
    out.print(_table(title, cols, rows, ("job",), optional, ("failures (exit code×n)",)))
    if st.cronJobs:
        _cronjob_stats(st.cronJobs)
    by_outcome = ", ".join(f"{k} {_n(v)}" for k, v in st.jobsByOutcome.items()) or "none"
    parts = [f"makespan {fmt_seconds(st.makespan)}", f"jobs: {by_outcome}"]
    if st.nodeHours is not None:
        nodes = str(st.nodes) if st.nodes is None else _n(st.nodes)
        parts.append(f"{nodes} nodes, {_n(st.nodeHours, 2)} node-hours")
    if st.cpu is not None and st.memory is not None:
        parts.append(
            f"cpu requested {_pct(st.cpu.meanUtilisation)} mean, "
            f"{_pct(st.cpu.peakUtilisation)} peak; memory {_pct(st.memory.meanUtilisation)} "
            f"mean, {_pct(st.memory.peakUtilisation)} peak"
        )
    parts.append(f"pending pods {_n(st.meanPending, 2)} mean, {_n(st.peakPending)} peak")
    out.print(
        f"run (window 0s–{fmt_seconds(st.windowEnd)}): " + "; ".join(parts),
        markup=False,
    )
    for w in st.warnings:
        out.print(f"[bold yellow]warning:[/] {w}", highlight=False)


@app.command()
def run(
    file: FileArg,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print the result as JSON (with `stats`).")
    ] = False,
    seed: SeedOpt = None,
    events: Annotated[
        Path | None, typer.Option(help="Write the event log as JSON lines to this file.")
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Write the tables to this folder: jobs, pods, runs and nodes as CSV, "
            "events.jsonl and result.json (or --format parquet).",
        ),
    ] = None,
    out_format: Annotated[
        Literal["csv", "parquet"],
        typer.Option(
            "--format",
            help="--out as csv, or parquet: jobs, pods, runs, nodes and events .parquet "
            "(pip install 'jobsim[parquet]').",
        ),
    ] = "csv",
    timeline_png: Annotated[
        Path | None,
        typer.Option("--timeline", help="Draw the timeline by Job to this .png/.svg file."),
    ] = None,
    trace: Annotated[
        Path | None,
        typer.Option(help="Write a Chrome/Perfetto trace (Trace Event Format) to this file."),
    ] = None,
    timeline_lines: Annotated[int, typer.Option("--lines", help="Timeline lines to show.")] = 40,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Debug mode: check every Job status against the API "
            "server's status rules; exit 3 at the first violation.",
        ),
    ] = False,
    expect: Annotated[
        Literal["Complete", "Failed"] | None,
        typer.Option(help="Exit 1 unless every Job ends with this condition."),
    ] = None,
    nodes: NodesOpt = None,
    node_cpu: NodeCpuOpt = None,
    node_memory: NodeMemoryOpt = None,
    duration: DurationOpt = None,
    fail_rate: FailRateOpt = None,
    exit_code: ExitCodeOpt = None,
    horizon: HorizonOpt = None,
    kubernetes_version: ReleaseOpt = None,
    feature_gates: GatesOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Run a scenario (or bare Job manifests) and print its summary, timeline and statistics
    (or --json)."""
    bare = _bare(nodes, node_cpu, node_memory, duration, fail_rate, exit_code, horizon)
    if out_format != "csv" and out_dir is None:
        err.print(f"--format {out_format} is the format of --out: give --out DIR", markup=False)
        raise typer.Exit(2)
    if out_format == "parquet":  # pyarrow missing: said before the run, not after it
        try:
            api.require_parquet()
        except api.MissingExtra as e:
            err.print(f"error: {e}", markup=False)
            raise typer.Exit(1) from None
    release = _release(kubernetes_version, feature_gates)
    result = _simulate(file, seed, debug, check, bare, release)
    if events is not None:
        ev_path = events

        def write_events() -> None:
            with ev_path.open("w", encoding="utf-8") as fh:
                result.write_events(fh)

        _write(debug, write_events)
    if out_dir is not None:
        folder = out_dir
        _write(debug, lambda: result.export(folder, format=out_format))
    if timeline_png is not None:
        _save_plot(debug, result, timeline_png, "job", 60)
    if trace is not None:
        trace_path = trace
        _write(debug, lambda: api.write_trace(result, trace_path))
    if json_out:  # streamed, never one string; main reports stdout that cannot be written
        result.write_json(sys.stdout, with_stats=True)
        sys.stdout.write("\n")
        _expect(result, expect)
        return
    _summary(result)
    _timeline(result, timeline_lines)
    _stats(result)
    _expect(result, expect)


@app.command()
def validate(
    file: FileArg,
    nodes: NodesOpt = None,
    node_cpu: NodeCpuOpt = None,
    node_memory: NodeMemoryOpt = None,
    duration: DurationOpt = None,
    fail_rate: FailRateOpt = None,
    exit_code: ExitCodeOpt = None,
    horizon: HorizonOpt = None,
    kubernetes_version: ReleaseOpt = None,
    feature_gates: GatesOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Check a scenario or Job manifests the way the API server would."""
    bare = _bare(nodes, node_cpu, node_memory, duration, fail_rate, exit_code, horizon)
    s = _load(file, debug, bare, _release(kubernetes_version, feature_gates))
    name = "<stdin>" if str(file) == "-" else str(file)
    keys = [f"{m.metadata.namespace}/{m.metadata.name}" for m in s.manifests]
    crons = [
        f"{e.cronjob.metadata.namespace}/{e.cronjob.metadata.name}"
        for e in s.cronjobs
        if e.cronjob is not None
    ]
    if s.bare:
        parts = []
        if keys:
            parts.append(
                f"Job {keys[0]}" if len(keys) == 1 else f"{len(keys)} Jobs: {', '.join(keys)}"
            )
        if crons:
            parts.append(
                f"CronJob {crons[0]}"
                if len(crons) == 1
                else f"{len(crons)} CronJobs: {', '.join(crons)}"
            )
        out.print(f"{name}: OK ({'; '.join(parts)})", markup=False)
        return
    cron_text = f"{len(crons)} cronjob(s), " if crons else ""
    out.print(
        f"{name}: OK (scenario {s.name}: {len(s.manifests)} job(s), {cron_text}"
        f"{len(s.cluster.node_names())} node(s), {len(s.events)} event(s))",
        markup=False,
    )


@app.command()
def plot(
    file: FileArg,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="The .png, .svg or .pdf file.")
    ] = None,
    animation: Annotated[
        Path | None,
        typer.Option(
            "--animate",
            help="Also (or instead) write the picture animated, for slides: a .gif, or an .mp4 "
            "(needs pip install 'jobsim[animate]').",
        ),
    ] = None,
    by: Annotated[
        Literal["job", "node", "summary"],
        typer.Option(
            help="job: a Gantt chart by Job; node: pods by node; summary: utilisation and pending."
        ),
    ] = "job",
    max_lanes: Annotated[
        int, typer.Option(help="Past this many pods, one lane per Job instead of per pod.", min=1)
    ] = 60,
    seed: SeedOpt = None,
    nodes: NodesOpt = None,
    node_cpu: NodeCpuOpt = None,
    node_memory: NodeMemoryOpt = None,
    duration: DurationOpt = None,
    fail_rate: FailRateOpt = None,
    exit_code: ExitCodeOpt = None,
    horizon: HorizonOpt = None,
    kubernetes_version: ReleaseOpt = None,
    feature_gates: GatesOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Draw a run's timeline (by Job or by node) or its summary charts; --animate writes it
    as an animation that reveals the run left to right."""
    if output is None and animation is None:
        err.print("plot: give -o OUT.png|svg|pdf, --animate OUT.gif|mp4, or both", markup=False)
        raise typer.Exit(2)
    if output is not None:
        _check_plot_path(output)
    problem = None if animation is None else api.animation_problem(animation)
    if problem is not None:
        err.print(f"--animate {problem}", markup=False)
        raise typer.Exit(2)
    bare = _bare(nodes, node_cpu, node_memory, duration, fail_rate, exit_code, horizon)
    release = _release(kubernetes_version, feature_gates)
    result = _simulate(file, seed, debug, bare=bare, release=release)
    if output is not None:
        _save_plot(debug, result, output, by, max_lanes)
        err.print(f"wrote {output}", markup=False)
    if animation is not None:
        path = animation
        _write(debug, lambda: api.animate(result, path, by=by, max_lanes=max_lanes))
        err.print(f"wrote {animation}", markup=False)


def _names(names: list[str]) -> str:
    """Job names for a message: all of a few, the first and last of many."""
    first, hidden, last = api.elide(names)
    return ", ".join([*first, *([f"… {hidden:,} more"] if hidden else []), *last])


def _no_such_job(result: "Result", job: str, file: str) -> str:
    """Why ``--job`` names nothing: a CronJob's name (and the Jobs it made), or no such Job
    (and the Jobs there are)."""
    jobs = result.recorder.jobs
    for key, cj in result.recorder.cronjobs.items():
        name = key.split("/", 1)[1]
        if job in (key, name):
            made = [j.name for j in jobs.values() if j.cronJob == key]
            suspended = " (it is suspended)" if cj.get("suspend") else ""
            its = f"its Jobs: {_names(made)}" if made else f"it made no Job{suspended}"
            return f"{job!r} is a CronJob in {file}, not a Job; {its}"
    names = _names([j.name for j in jobs.values()])
    return f"no Job {job!r} in {file} " + (f"(Jobs: {names})" if names else "(it has no Job)")


@app.command()
def explain(
    file: FileArg,
    job: Annotated[str | None, typer.Option(help="Only this Job (name or namespace/name).")] = None,
    fmt: Annotated[
        Literal["text", "markdown"],
        typer.Option("--format", help="text, or markdown for docs and teaching."),
    ] = "text",
    seed: SeedOpt = None,
    nodes: NodesOpt = None,
    node_cpu: NodeCpuOpt = None,
    node_memory: NodeMemoryOpt = None,
    duration: DurationOpt = None,
    fail_rate: FailRateOpt = None,
    exit_code: ExitCodeOpt = None,
    horizon: HorizonOpt = None,
    kubernetes_version: ReleaseOpt = None,
    feature_gates: GatesOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Narrate a run: one line per decision, with its rule and numbers."""
    bare = _bare(nodes, node_cpu, node_memory, duration, fail_rate, exit_code, horizon)
    release = _release(kubernetes_version, feature_gates)
    result = _simulate(file, seed, debug, bare=bare, release=release)
    jobs = result.recorder.jobs
    if job is not None and not any(job in (key, j.name) for key, j in jobs.items()):
        err.print(f"--job: {_no_such_job(result, job, str(file))}", markup=False)
        raise typer.Exit(1)
    lines = _guard(debug, lambda: api.narrate(result, job=job))
    sys.stdout.write(api.render(lines, fmt))


@app.command()
def report(
    file: FileArg,
    output: Annotated[Path, typer.Option("-o", "--output", help="The .html file to write.")],
    seed: SeedOpt = None,
    nodes: NodesOpt = None,
    node_cpu: NodeCpuOpt = None,
    node_memory: NodeMemoryOpt = None,
    duration: DurationOpt = None,
    fail_rate: FailRateOpt = None,
    exit_code: ExitCodeOpt = None,
    horizon: HorizonOpt = None,
    kubernetes_version: ReleaseOpt = None,
    feature_gates: GatesOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Write a run's report: one self-contained HTML page (the scenario, each Job's outcome,
    interactive timelines, statistics and charts, the narrated run)."""
    if output.suffix.lower() not in (".html", ".htm"):
        err.print(f"{output}: the output must end in .html", markup=False)
        raise typer.Exit(2)
    bare = _bare(nodes, node_cpu, node_memory, duration, fail_rate, exit_code, horizon)
    stdin = str(file) == "-"
    text = _stdin() if stdin else None
    r = _release(kubernetes_version, feature_gates)
    scenario: Scenario = _guard(
        debug,
        lambda: api.load_input(
            file, text=text, options=bare, kubernetes_version=r.version, feature_gates=r.gates
        ),
    )
    _warn(scenario)
    result = _guard(debug, lambda: api.simulate(scenario, seed))
    source = text if text is not None else _guard(debug, lambda: file.read_text("utf-8"))
    name = "<stdin>" if stdin else str(file)
    _write(debug, lambda: api.write_report(result, output, source=source, source_name=name))
    err.print(f"wrote {output}", markup=False)


# -- compare -------------------------------------------------------------------------------


def _measure(measure: str, value: Any) -> str:
    """One side's value of a measure, as the table shows it."""
    if value is None:
        return "-"
    if measure == "finished":
        return fmt_seconds(value)
    if isinstance(value, str):
        return value or "-"
    return _n(value)


def _change(measure: str, job: "JobComparison") -> str:
    """The difference column: B minus A (+2, +2m25s), same, changed, or - (one side lacks it)."""
    d = job.difference(measure)
    if d is None:
        return "-"
    if isinstance(d, bool):
        return "changed" if d else "same"
    if d == 0:
        return "same"
    sign = "+" if d > 0 else "-"
    return sign + (fmt_seconds(abs(d)) if measure == "finished" else _n(abs(d)))


def _print_comparison(c: "Comparison") -> None:
    out.print(c.a.describe(), markup=False)
    out.print(c.b.describe(), markup=False)
    out.print(f"both run with seed {c.seed} (common random numbers)", markup=False)
    for job in c.jobs:
        cols = ["", f"A: {c.a.label}", f"B: {c.b.label}", "difference"]
        rows = []
        for measure, name in api.MEASURES.items():
            a = None if job.a is None else getattr(job.a, measure)
            b = None if job.b is None else getattr(job.b, measure)
            rows.append([name, _measure(measure, a), _measure(measure, b), _change(measure, job)])
        where = (
            ""
            if job.a is not None and job.b is not None
            else (" (only in A)" if job.b is None else " (only in B)")
        )
        out.print(_table(f"Job {job.job}{where}", cols, rows, key=("",), left=tuple(cols[1:3])))


@app.command()
def parity(
    file: Annotated[
        Path,
        typer.Argument(help="A file of the upstream-cases format (upstream-controller-cases/v1)."),
    ],
    json_out: Annotated[bool, typer.Option("--json", help="Print the verdicts as JSON.")] = False,
    ignore_gates: Annotated[
        bool,
        typer.Option(
            "--ignore-gates",
            help="Run every case on the newest release with every Job gate on, instead of "
            "with its own gates and emulationVersion (shows which differ only by a gate).",
        ),
    ] = False,
    debug: DebugOpt = False,
) -> None:
    """Run upstream Job-controller unit-test cases on jobsim's controller: a line per case
    (PASS, FAIL with the differing fields, UNSUPPORTED with the reason), then the counts.
    Exit 1 when a case fails."""
    try:
        data = api.load_cases(file)
    except api.CaseFileError as e:
        err.print(f"error: {e}", markup=False)
        raise typer.Exit(1) from None
    verdicts = _guard(debug, lambda: api.run_cases(data, ignore_gates=ignore_gates))
    counts = api.verdict_counts(verdicts)
    if json_out:
        doc = {
            "cases": [v.to_dict() for v in verdicts],
            **{k: sum(1 for v in verdicts if v.outcome == o) for k, o in _VERDICT_KEYS},
            "summary": counts,
        }
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    else:
        for v in verdicts:
            out.print(v.line(), markup=False)
        out.print(counts, markup=False)
    if any(v.outcome == "FAIL" for v in verdicts):
        raise typer.Exit(1)


_VERDICT_KEYS = (("passed", "PASS"), ("failed", "FAIL"), ("unsupported", "UNSUPPORTED"))


@app.command("compare")
def compare_command(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="A.yaml [B.yaml]: two scenarios or manifest files, or one for both sides "
            "(then --set changes B).",
            show_default=False,
        ),
    ],
    set_a: Annotated[
        list[str] | None,
        typer.Option("--set-a", help="PATH=VALUE for side A (a YAML value; null removes)."),
    ] = None,
    set_b: Annotated[
        list[str] | None, typer.Option("--set-b", help="PATH=VALUE for side B, as in sweep --vary.")
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="With one file: PATH=VALUE for side B (as --set-b)."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="Draw both timelines, A above B, to this .png/.svg/.pdf."
        ),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the comparison as JSON.")] = False,
    seed: Annotated[
        int | None, typer.Option(help="The seed of both sides [default: A's scenario's].", min=0)
    ] = None,
    nodes: NodesOpt = None,
    node_cpu: NodeCpuOpt = None,
    node_memory: NodeMemoryOpt = None,
    duration: DurationOpt = None,
    fail_rate: FailRateOpt = None,
    exit_code: ExitCodeOpt = None,
    horizon: HorizonOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Run two variants of a workload with one seed: per Job, outcome, reason, finish time,
    pods, failures and wasted pod-seconds side by side, and their difference."""
    if len(files) > 2:
        err.print(f"expected one or two files (A and B), got {len(files)}", markup=False)
        raise typer.Exit(2)
    if set_ and len(files) == 2:
        err.print("--set: with two files, say which side: --set-a or --set-b", markup=False)
        raise typer.Exit(2)
    if len(files) == 1 and not (set_ or set_a or set_b):
        err.print(
            "nothing to compare: give a second file, or --set PATH=VALUE "
            "(e.g. --set 'jobs[0].manifest.spec.backoffLimit=6')",
            markup=False,
        )
        raise typer.Exit(2)
    if output is not None and output.suffix.lower() not in (".png", ".svg", ".pdf"):
        err.print(f"{output}: the output must end in .png, .svg or .pdf", markup=False)
        raise typer.Exit(2)
    where_b = "--set" if set_ else "--set-b"
    settings_a = _guard(debug, lambda: api.parse_settings(set_a or [], "--set-a"))
    settings_b = _guard(debug, lambda: api.parse_settings([*(set_ or []), *(set_b or [])], where_b))
    bare = _bare(nodes, node_cpu, node_memory, duration, fail_rate, exit_code, horizon)
    file_a, file_b = files[0], files[-1]
    stdin = _stdin() if "-" in (str(file_a), str(file_b)) else None

    def text(f: Path) -> str | None:
        return stdin if str(f) == "-" else None

    a = _guard(
        debug,
        lambda: api.load_side(
            "A", file_a, settings_a, text=text(file_a), options=bare, where="--set-a"
        ),
    )
    b = _guard(
        debug,
        lambda: api.load_side(
            "B", file_b, settings_b, text=text(file_b), options=bare, where=where_b
        ),
    )
    _warn(a.scenario)
    if file_b != file_a:
        _warn(b.scenario)
    c = _guard(debug, lambda: api.compare(a, b, seed=seed))
    if output is not None:
        path = output
        _write(debug, lambda: api.draw_comparison(c, path))
        err.print(f"wrote {output}", markup=False)
    if json_out:
        sys.stdout.write(json.dumps(c.to_dict(), indent=2) + "\n")
        return
    _print_comparison(c)


# -- experiments ---------------------------------------------------------------------------

# api.METRICS, written out so that --help imports no experiment (tests/test_startup.py checks
# that the two agree).
_METRICS = (
    "makespan",
    "work_done",
    "mean_wall_time",
    "max_wall_time",
    "mean_wait",
    "jobs_failed",
    "pods_failed",
    "pods_evicted",
    "wasted_pod_seconds",
    "useful_pod_seconds",
    "node_hours",
    "cpu_utilisation",
    "memory_utilisation",
    "cost:POOL=PRICE,…",
    "deadline_hits:T",
)


def _complete_metric(incomplete: str) -> list[str]:
    """Shell completion of --metric: the names, with the colon of those taking an argument."""
    names = [m.split(":")[0] + ":" if ":" in m else m for m in _METRICS]
    return [n for n in names if n.startswith(incomplete)]


_TIME_METRICS = ("makespan", "work_done", "mean_wall_time", "max_wall_time", "mean_wait")


def _unit(name: str, values: list[float]) -> tuple[str, float] | None:
    """The time unit for a duration metric, from its largest finite value; None otherwise."""
    if not (name.startswith(_TIME_METRICS) or name.endswith("_pod_seconds")):
        return None
    top = max((abs(v) for v in values if v == v and abs(v) != float("inf")), default=0.0)
    return ("s", 1.0) if top < 120 else ("m", 60.0) if top < 7200 else ("h", 3600.0)


def _value(x: float, unit: tuple[str, float] | None) -> str:
    """A metric's value as a person reads it: durations in the table's unit, others to 3
    significant digits."""
    if x != x:  # NaN: no interval
        return "-"
    if unit is None:  # 3 significant digits, but 12,345 rather than 1.23e+04
        return _n(x, 0) if abs(x) >= 1000 and x != float("inf") else f"{x:.3g}"
    if x == float("inf"):
        return "never"
    if x == float("-inf"):
        return "-∞"
    return f"{x / unit[1]:.{2 if unit[0] == 'h' else 1}f}{unit[0]}"


def _interval(est: float, low: float, high: float, unit: tuple[str, float] | None) -> str:
    """``estimate [low, high]``; an end the runs cannot bound reads ``∞`` (more runs needed)."""
    if low != low or (low == est == high):
        return _value(est, unit)
    top = "∞" if high == float("inf") else _value(high, unit)
    bottom = "-∞" if low == float("-inf") else _value(low, unit)
    return f"{_value(est, unit)} [{bottom}, {top}]"


def _executor(workers: int | None, dask: str | None, executor: str) -> Any:
    if workers is not None and (dask is not None or executor == "serial"):
        where = "--dask" if dask is not None else "--executor serial"
        err.print(f"--workers: local processes; it does not go with {where}", markup=False)
        raise typer.Exit(2)
    return dask if dask is not None else executor


def _run_quietly(quiet: bool, what: str, fn: Callable[[Any], T]) -> T:
    if quiet:
        return fn(None)
    with api.ProgressBar(what, console=err.real()) as bar:
        return fn(bar)


def _print_sweep(s: "Sweep", quantile: float, confidence: float) -> None:
    from rich.markup import escape
    from rich.table import Table

    qname = api.quantile_name(quantile)
    summary = s.summary(confidence=confidence, quantiles=(quantile,))
    table = Table(title=f"summary over {len(s.seeds)} replications ({confidence:.0%} intervals)")
    for col in (*s.parameters, "metric", "n", "mean", qname):
        table.add_column(escape(col), justify="left" if col == "metric" else "right")
    records = summary.to_dict("records")
    units = {
        m: _unit(m, [r[c] for r in records if r["metric"] == m for c in ("mean", qname)])
        for m in s.metrics
    }
    for row in records:
        m, u = row["metric"], units[row["metric"]]
        mean = _interval(row["mean"], row["mean_low"], row["mean_high"], u)
        if row["mean"] == float("inf"):  # say how many runs never finished
            never = sum(1 for v in s.values(row["point"], m) if v == float("inf"))
            mean = f"never ({never} of {row['n']} runs)"
        table.add_row(
            *(escape(str(row[p])) for p in s.parameters),
            m,
            str(row["n"]),
            mean,
            _interval(row[qname], row[f"{qname}_low"], row[f"{qname}_high"], u),
        )
    out.print(table)
    if len(s.points) > 1:
        out.print(f"paired changes (same seeds at both points; {confidence:.0%} intervals):")
        for m in s.metrics:
            means = s.paired(m, statistic="mean", confidence=confidence).to_dict("records")
            quants = s.paired(m, statistic=qname, confidence=confidence).to_dict("records")
            for a, b in zip(means, quants, strict=True):
                u = units[m] and _unit(m, [a["difference"], b["difference"]])
                mean = _interval(a["difference"], a["low"], a["high"], u)
                tail = _interval(b["difference"], b["low"], b["high"], u)
                line = f"  {a['change']}: {m} mean {mean}, {qname} {tail}"
                out.print(line, markup=False)
    for f in s.failures:
        err.print(f"failed run: {f}", markup=False)


def _write_sweep(
    s: "Sweep", folder: Path, quantile: float, confidence: float, bound: str | None
) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    qname = api.quantile_name(quantile)
    tables = {
        "runs": s.runs,
        "summary": s.summary(confidence=confidence, quantiles=sorted({*api.QUANTILES, quantile})),
    }
    if len(s.points) > 1:
        import pandas as pd

        tables["paired"] = pd.concat(
            [
                s.paired(m, statistic=st, confidence=confidence)
                for m in s.metrics
                for st in ("mean", qname)
            ],
            ignore_index=True,
        )
    bounds: dict[str, float | str] = {} if bound is None else {s.metrics[0]: bound}
    paths = api.draw_sweep(s, folder, statistic=qname, confidence=confidence, bounds=bounds)
    for name, df in tables.items():
        df.to_csv(folder / f"{name}.csv", index=False)
        paths.append(folder / f"{name}.csv")
    for name, df in tables.items():
        mixed = [c for c in df.columns if df[c].dtype.kind == "O"]  # 10 and "20s": one type
        typed = df.astype(dict.fromkeys(mixed, "string"))
        try:
            typed.to_parquet(folder / f"{name}.parquet", index=False)
            paths.append(folder / f"{name}.parquet")
        except ImportError:
            err.print("note: no Parquet files (pip install 'jobsim[parquet]')", markup=False)
            break
    return paths


RepsOpt = Annotated[int, typer.Option(help="Runs per point (seeds SEED, SEED+1, …).", min=1)]
QuantileOpt = Annotated[
    float, typer.Option(help="The quantile to report and compare (0.95: p95).", min=0, max=1)
]
ConfidenceOpt = Annotated[
    float, typer.Option(help="Confidence level of the intervals.", min=0.5, max=0.999)
]
WorkersOpt = Annotated[int | None, typer.Option(help="Local worker processes (all cores).", min=1)]
DaskOpt = Annotated[str | None, typer.Option(help="Run on this Dask scheduler (tcp://host:port).")]
ExecutorOpt = Annotated[
    Literal["auto", "serial", "process"],
    typer.Option(help="auto: serial for a few runs, else processes."),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", help="No progress bar.")]


@app.command("sweep")
def sweep_command(
    file: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    vary: Annotated[
        list[str] | None,
        typer.Option(
            help="PATH=V1,V2,… or PATH=A..B or A..B:STEP (both ends included), repeatable"
        ),
    ] = None,
    replications: RepsOpt = 10,
    seed: Annotated[int, typer.Option(help="Seed of the first replication.", min=0)] = 0,
    metric: Annotated[
        list[str] | None,
        typer.Option(help=f"A metric ({', '.join(_METRICS)}).", autocompletion=_complete_metric),
    ] = None,
    quantile: QuantileOpt = 0.95,
    confidence: ConfidenceOpt = 0.95,
    workers: WorkersOpt = None,
    dask: DaskOpt = None,
    executor: ExecutorOpt = "auto",
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", help="Write the tables (CSV, Parquet) and plots (PNG) here."),
    ] = None,
    bound: Annotated[
        str | None, typer.Option(help="A bound of the first metric (2h), drawn in its plots.")
    ] = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Run a scenario over parameter values and replications: means, quantiles, intervals."""
    how = _executor(workers, dask, executor)
    values = _guard(debug, lambda: api.parse_vary(vary or []))
    metrics = metric or ["makespan"]
    if bound is not None:  # checked before the runs, not after them
        _guard(debug, lambda: api.parse_bound(metrics[0], bound))
    if out_dir is not None:
        folder = out_dir
        _guard(debug, lambda: folder.mkdir(parents=True, exist_ok=True))
    s = _guard(
        debug,
        lambda: _run_quietly(
            quiet,
            "sweep",
            lambda bar: api.sweep(
                file,
                values or None,
                replications=replications,
                seed=seed,
                metrics=metrics,
                executor=how,
                workers=workers,
                progress=bar,
            ),
        ),
    )
    _print_sweep(s, quantile, confidence)
    if out_dir is not None:
        folder = out_dir
        paths = _guard(debug, lambda: _write_sweep(s, folder, quantile, confidence, bound))
        err.print(f"wrote {', '.join(str(p) for p in paths)}", markup=False)


@app.command("search")
def search_command(
    file: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    vary: Annotated[
        str,
        typer.Option(help="PATH=A..B, A..B:STEP or V1,V2,…: each value no worse than the last."),
    ],
    metric: Annotated[
        str,
        typer.Option(help=f"The metric ({', '.join(_METRICS)}).", autocompletion=_complete_metric),
    ] = "makespan",
    quantile: QuantileOpt = 0.95,
    at_most: Annotated[
        str | None, typer.Option(help="The bound the quantile must not exceed (2h, 90).")
    ] = None,
    at_least: Annotated[str | None, typer.Option(help="The bound the quantile must reach.")] = None,
    confidence: ConfidenceOpt = 0.95,
    replications: RepsOpt = 10,
    max_replications: Annotated[
        int, typer.Option(help="Most runs per value when the verdict is uncertain.", min=1)
    ] = 80,
    seed: Annotated[int, typer.Option(help="Seed of the first replication.", min=0)] = 0,
    workers: WorkersOpt = None,
    dask: DaskOpt = None,
    executor: ExecutorOpt = "auto",
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Find the fewest value of one parameter such that a metric's quantile meets a bound."""
    if (at_most is None) == (at_least is None):
        err.print("give exactly one of --at-most and --at-least", markup=False)
        raise typer.Exit(2)
    how = _executor(workers, dask, executor)
    [(path, values)] = _guard(debug, lambda: api.parse_vary([vary])).items()
    found: SearchResult = _guard(
        debug,
        lambda: _run_quietly(
            quiet,
            "search",
            lambda bar: api.search(
                file,
                path,
                values,
                metric,
                quantile=quantile,
                at_most=at_most,
                at_least=at_least,
                confidence=confidence,
                replications=replications,
                max_replications=max_replications,
                seed=seed,
                executor=how,
                workers=workers,
                progress=bar,
            ),
        ),
    )
    from rich.markup import escape
    from rich.table import Table

    qname = api.quantile_name(quantile)
    table = Table(title=f"{qname} {found.metric} at each value tried ({confidence:.0%} intervals)")
    for col in (path, "runs", qname, "verdict"):
        table.add_column(escape(col), justify="left" if col == "verdict" else "right")
    unit = _unit(found.metric, [v.estimate for v in found.verdicts])
    for v in found.verdicts:
        q = _interval(v.estimate, v.low, v.high, unit)
        table.add_row(escape(str(v.value)), str(v.n), q, v.verdict)
    out.print(table)
    out.print(found.describe(), markup=False)
    for f in found.failures:
        err.print(f"failed run: {f}", markup=False)


@app.command("import")
def import_command(
    dumps: Annotated[
        list[Path],
        typer.Argument(
            help="Output of kubectl get nodes,jobs,pods -A -o json (or -o yaml): one file or "
            "several."
        ),
    ],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="The scenario file to write; - prints it.")
    ],
    group_by: Annotated[
        str | None,
        typer.Option(
            "--group-by",
            help="Fit one workload per value of this label of the Jobs (e.g. app), not per Job.",
        ),
    ] = None,
    name: Annotated[str | None, typer.Option(help="The scenario's name.")] = None,
    fit: Annotated[
        Literal["best", "lognormal", "gamma", "weibull", "exponential", "empirical"],
        typer.Option(
            help="The run times' distribution: the family with the least AIC, one family, "
            "or the runs themselves."
        ),
    ] = "best",
    debug: DebugOpt = False,
) -> None:
    """Make a scenario of a cluster's dump: its node pools, its Jobs and fitted workloads."""

    def go() -> "Imported | DumpError":
        try:
            return api.import_dumps(list(dumps), group_by=group_by, name=name, fit=fit)
        except api.DumpError as e:
            return e

    imported = _guard(debug, go)
    if isinstance(imported, api.DumpError):
        for w in imported.warnings:  # what was skipped may be why nothing is left
            err.print(f"warning: {w}", markup=False)
        for line in imported.lines:
            err.print(f"error: {line}", markup=False)
        raise typer.Exit(1)
    for w in imported.warnings:
        err.print(f"warning: {w}", markup=False)
    to = err if str(output) == "-" else out
    for line in imported.report():
        to.print(line, markup=False)
    text = imported.to_yaml()
    if str(output) == "-":
        sys.stdout.write(text)
        return
    _write(debug, lambda: output.write_text(text, encoding="utf-8"))
    out.print(f"wrote {output}: run it with jobsim run {output}", markup=False)


@app.command()
def completion(
    shell: Annotated[
        Literal["bash", "zsh", "fish", "powershell"], typer.Argument(help="Your shell.")
    ],
) -> None:
    """Print the shell completion script for jobsim, as kubectl completion does.

    bash: source <(jobsim completion bash) in ~/.bashrc; zsh: the same, after compinit.

    Or jobsim --install-completion, for the shell you are in.
    """
    from typer._completion_shared import get_completion_script  # what --show-completion prints

    script = get_completion_script(prog_name="jobsim", complete_var="_JOBSIM_COMPLETE", shell=shell)
    sys.stdout.write(script + "\n")


_OUTPUT_ERRNOS = (errno.EPIPE, errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO)


def _for_argv(argv: list[str]) -> typer.Typer:
    """``app``, or a copy with only the command ``argv`` names first: typer builds every
    command's parameters before it parses any (about 4 % of ``validate``), and the others are
    never used. The whole app for anything else (options first, a typo, ``--help``, shell
    completion)."""
    if len(argv) < 2 or "_JOBSIM_COMPLETE" in os.environ:
        return app
    for info in app.registered_commands:
        # typer's name for a command: its name, else its function's with "-" for "_"
        name = info.name or getattr(info.callback, "__name__", "").lower().replace("_", "-")
        if name == argv[1]:
            one = copy.copy(app)
            one.registered_commands = [info]
            return one
    return app


def main() -> None:
    """Console entry point. Standard output that cannot be written (a full disk, a closed
    pipe) is a one-line error and exit 1; anything unforeseen that escaped the commands'
    guards is one line and exit 70 (the traceback with ``--debug``), never a traceback."""
    # pydantic looks for plugins (entry points of every installed distribution) when it builds
    # the first model; the command line's models want none (typer's adapters turn them off
    # too). Set by the user, the variable is left as it is.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    # What start-up made so far (typer, the commands) lives as long as the process: out of the
    # collector's way, the collections while the command imports the rest (pydantic, the
    # models, the simulator) and runs are cheaper (about 3 % of validate and run).
    gc.freeze()
    try:
        try:
            _for_argv(sys.argv)()
        finally:
            sys.stdout.flush()
    except OSError as e:
        if e.filename is not None or e.errno not in _OUTPUT_ERRNOS:
            _internal(e)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # nothing left to flush at exit
        os.close(devnull)
        if e.errno != errno.EPIPE:  # a reader that stopped early (`| head`) needs no message
            err.print(f"error: cannot write the output: {e.strerror or e}", markup=False)
        sys.exit(1)
    except Exception as e:
        _internal(e)


def _internal(e: Exception) -> NoReturn:
    """An error no guard foresaw: a jobsim bug. One line (the traceback with --debug), exit 70."""
    if "--debug" in sys.argv:
        traceback.print_exception(e)
    else:
        err.print(
            f"internal error: {type(e).__name__}: {e} "
            "(this is a jobsim bug; rerun with --debug for the traceback)",
            markup=False,
        )
    sys.exit(70)


__all__ = [
    "app",
    "main",
]
if __name__ == "__main__":
    main()
