"""Result: job statuses, pod records and the event log of one run, and their exports.

A Result is data: it holds the run's sealed record and nothing of the simulation, so it can be
saved and loaded back (``save``/``load``) and every view works on a loaded one. Exports: JSON
(``to_json``), statistics (``stats``, computed once, see :mod:`jobsim.stats`), pandas DataFrames
(``jobs_frame``, ``pods_frame``, ``runs_frame``, ``events_frame``; pandas is imported only
when they are called) and a directory of files (``export``). ``runs`` gives every container run
as a typed row (``ContainerRun``); the queries a test reads are in :mod:`jobsim.queries`.
"""

from __future__ import annotations

import io
import json
import math
import os
import tempfile
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jobsim.jsonstream import Cleaned, Rows, Writable, dumps, write
from jobsim.record import Kind, PodRecord, Recorder, describe
from jobsim.stats import (
    ContainerRun,
    Lives,
    RunStats,
    compute,
    container_runs,
    lives,
    requests_by_job,
)
from jobsim.version import __version__

if TYPE_CHECKING:
    import pandas as pd

JOB_COLUMNS: dict[str, str] = {
    "job": "string",  # namespace/name
    "name": "string",
    "namespace": "string",
    "outcome": "string",  # Complete, Failed, Deleted, Suspended, Running, ... (``job_outcome``)
    "reason": "string",  # the reason of that condition
    "submittedAt": "float64",
    "startTime": "float64",  # status.startTime
    "finishedAt": "float64",  # time of the Complete or Failed condition
    "completionTime": "float64",  # status.completionTime (Complete only)
    "deletedAt": "float64",
    "cronJob": "string",  # namespace/name of the CronJob that created it, if any
    "waitUntilRunning": "float64",  # first run start - submittedAt
    "wallTime": "float64",  # finishedAt - submittedAt
    "podsCreated": "int64",
    "attempts": "int64",  # container runs, restarts included
    "succeeded": "int64",  # status.succeeded
    "failed": "int64",  # status.failed
    "reExecutions": "int64",
    "overlappingExecutions": "int64",
    "wastedPodSeconds": "float64",
    "usefulPodSeconds": "float64",
    "managedBy": "string",  # spec.managedBy when another controller owns the Job
}
"""``jobs_frame()`` columns and their dtypes: one row per Job, in submission order. Times
are seconds of virtual time; missing values are NaN/<NA>. Definitions: :mod:`jobsim.stats`."""

POD_COLUMNS: dict[str, str] = {
    "name": "string",
    "job": "string",  # namespace/name
    "index": "Int64",  # completion index (<NA> for NonIndexed Jobs)
    "attempt": "Int64",  # attempt number of its first run
    "node": "string",
    "phase": "string",  # last phase: Pending, Running, Succeeded, Failed
    "outcome": "string",  # succeeded, failed, evicted, deleted, running, pending
    "exitCode": "Int64",  # of its last run
    "restarts": "int64",  # restartCount
    "counted": "string",  # how the Job controller counted it: succeeded, failed, ignored
    "createdAt": "float64",
    "scheduledAt": "float64",
    "startedAt": "float64",  # first run start
    "finishedAt": "float64",  # Succeeded/Failed
    "deletedAt": "float64",
    "removedAt": "float64",  # gone from the API
    "runs": "int64",  # container runs (attempts)
    "runSeconds": "float64",  # total length of its runs that exited
    "wastedSeconds": "float64",
    "usefulSeconds": "float64",
    "cpu": "float64",  # requested cores (NaN without the scenario)
    "memory": "float64",  # requested bytes (NaN without the scenario)
}
"""``pods_frame()`` columns and their dtypes: one row per pod, in creation order."""

RUN_COLUMNS: dict[str, str] = {
    "pod": "string",
    "job": "string",  # namespace/name
    "index": "Int64",  # completion index (<NA> for NonIndexed Jobs)
    "attempt": "int64",  # this start of the work, per index (NonIndexed: per Job), from 0
    "node": "string",
    "start": "float64",  # the container started
    "end": "float64",  # it exited (even if reported late); NaN: never seen to exit
    "seconds": "float64",  # end - start
    "exitCode": "Int64",
    "ended": "string",  # succeeded, failed, evicted, deleted, lost, running (stats.RUN_ENDINGS)
    "reported": "float64",  # its exit reached the API server (later than end: node unreachable)
}
"""``runs_frame()`` columns and their dtypes: one row per container run (restarts under
``OnFailure`` included), in start order; ``Result.runs`` gives the same rows typed
(:class:`jobsim.stats.ContainerRun`, whose docstrings define each field)."""

EVENT_COLUMNS: dict[str, str] = {
    "t": "float64",
    "kind": "category",  # Kind names, categories in Kind order
    "object": "string",  # the subject: Job key, pod or node name
    "ref": "string",  # the rule's reference (job, node, phase, reason, condition ...)
    "a": "int64",  # the rule's integer (index, exit code, restartCount, failures ...)
    "b": "float64",  # the rule's number (seconds, attempt ...)
    "text": "string",  # a message
    "message": "string",  # the sentence (``record.describe``)
}
"""``events_frame()`` columns and their dtypes: one row per recorded event, in order. See
``record.Kind`` for what ``ref``, ``a`` and ``b`` hold for each kind."""

NODE_COLUMNS: dict[str, str] = {
    "name": "string",
    "pool": "string",
    "addedAt": "float64",  # joined the cluster
    "removedAt": "float64",  # left it (NaN: still there at the end)
    "cpu": "float64",  # allocatable cores (NaN if unknown)
    "memory": "float64",  # allocatable bytes (NaN if unknown)
}
"""``nodes_frame()`` columns and their dtypes: one row per node, in the order they joined."""

FORMATS = ("csv", "parquet")
"""What ``export`` writes: ``csv`` (CSV tables, ``events.jsonl``, ``result.json``) or
``parquet`` (one Parquet file per table, pyarrow needed: the ``parquet`` extra)."""


def _clean(x: Any) -> Any:
    """Floats that are whole numbers print as integers, so JSON reads like the timeline."""
    if isinstance(x, float) and x.is_integer():
        return int(x)
    if isinstance(x, float):
        return round(x, 6)
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_clean(v) for v in x]
    return x


_EVENT_KEYS = ("t", "kind", "object", "message")
"""An ``events[]`` entry of ``--json``: time, kind, object and the sentence."""
_NODE_KEYS = ("name", "pool", "addedAt", "removedAt")
"""A ``nodes[]`` entry (``NodeRecord.to_dict``)."""
_POD_KEYS = (
    "name",
    "job",
    "index",
    "attempt",
    "node",
    "phase",
    "exitCode",
    "restarts",
    "createdAt",
    "scheduledAt",
    "startedAt",
    "finishedAt",
    "deletedAt",
    "counted",
    "conditions",
)
"""A ``pods[]`` entry (``PodRecord.to_dict``)."""


def _pod_row(p: PodRecord) -> tuple[Any, ...]:
    return (
        p.name,
        p.job,
        p.index,
        p.attempt,
        p.node,
        p.phase,
        p.exitCode,
        p.restarts,
        p.createdAt,
        p.scheduledAt,
        p.startedAt,
        p.finishedAt,
        p.deletedAt,
        p.counted,
        p.conditions,
    )


SAVE_FORMAT = 1
"""The version of the ``record`` part of a saved Result."""


def _umask() -> int:
    """The process's umask (read by setting it and back: there is no getter)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


@dataclass
class Result:
    """What one run produced: built from its record alone, and holding nothing else."""

    scenario: str
    seed: int
    end: float
    recorder: Recorder
    source: dict[str, Any] | None = field(default=None, repr=False, compare=False)
    """The scenario as data (what its YAML file holds), when the caller kept it:
    ``jobsim.testing.run`` does, so that a failing test can show the scenario it ran."""

    def __post_init__(self) -> None:
        self.recorder.seal()

    @cached_property
    def lives(self) -> Lives:
        """Every pod's life, read from the event log once (:func:`jobsim.stats.lives`)."""
        return lives(self)

    @cached_property
    def _runs(self) -> tuple[ContainerRun, ...]:
        return tuple(container_runs(self, self.lives))

    @cached_property
    def stats(self) -> RunStats:
        """Per-Job and per-run statistics (:mod:`jobsim.stats`), computed once."""
        return compute(self, self.lives)

    # -- save and load -------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Write the Result to ``path``: the JSON of ``jobsim run --json`` plus a ``record``
        key holding the whole record, which ``load`` reads back. Written piece by piece: the
        text is never held whole (a file that cannot be finished is removed)."""
        if not math.isfinite(self.end):
            raise ValueError(
                f"{path}: the result holds a number JSON cannot (end={self.end:g}: an infinite "
                "`until`?); give simulate a finite `until`"
            )
        out = Path(path)
        parts = self._json_parts(with_stats=True)
        data: dict[str, Any] = {k: Cleaned(v) for k, v in parts.items()}
        data["record"] = {
            "format": SAVE_FORMAT,
            "end": self.end,
            **self.recorder.to_data(lazy=True),
        }
        # Written beside the file (through a symlink, beside its target) and moved over it
        # once whole: a save that fails leaves the file as it was.
        target = Path(os.path.realpath(out))
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                write(fh, data, indent=1)
                fh.write("\n")
            os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return out

    @classmethod
    def load(cls, path: str | Path) -> Result:
        """A Result saved by ``save``; ``ValueError`` if the file is not one."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        record = data.get("record") if isinstance(data, dict) else None
        if not isinstance(record, dict) or record.get("format") != SAVE_FORMAT:
            raise ValueError(
                f"{path}: not a saved jobsim Result (no record of format {SAVE_FORMAT}; "
                "write one with Result.save)"
            )
        return cls(data["scenario"], data["seed"], record["end"], Recorder.from_data(record))

    def jobs(self) -> list[dict[str, Any]]:
        """``jobs[]``: name, namespace, deletedAt, status shaped like batch/v1 JobStatus."""
        out = []
        for rec in self.recorder.jobs.values():
            item: dict[str, Any] = {
                "name": rec.name,
                "namespace": rec.namespace,
                "submittedAt": rec.submittedAt,
                "deletedAt": rec.deletedAt,
                "podsCreated": rec.podsCreated,
                "status": rec.status,
            }
            if rec.managedBy is not None:
                item["managedBy"] = rec.managedBy
            if rec.cronJob is not None:
                item["cronJob"] = rec.cronJob
            out.append(item)
        return out

    def cronjobs(self) -> list[dict[str, Any]]:
        """``cronJobs[]``: name, namespace, createdAt, status shaped like batch/v1
        CronJobStatus (``active`` the names of its active Jobs; times in virtual seconds),
        and ``suspend: true`` for one suspended at the end of the run."""
        return [dict(c) for c in self.recorder.cronjobs.values()]

    def pods(self) -> list[dict[str, Any]]:
        """``pods[]``, in creation order."""
        return [p.to_dict() for p in self.recorder.pods.values()]

    def events(self) -> list[dict[str, Any]]:
        """``events[]``: time, kind, object and the sentence with its rule's numbers."""
        return list(self._event_dicts())

    def _event_dicts(self) -> Iterator[dict[str, Any]]:
        for row in self._event_rows():
            yield dict(zip(_EVENT_KEYS, row, strict=True))

    def _event_rows(self) -> Iterator[tuple[float, str, str, str]]:
        """``events[]`` as tuples of ``_EVENT_KEYS``' values, read from the record's columns."""
        rec = self.recorder
        s = rec.strings
        kinds = {int(k): (k, k.name) for k in Kind}
        for t, k, su, r, a, b, tx in zip(
            rec.t, rec.kind, rec.subject, rec.ref, rec.a, rec.b, rec.text, strict=True
        ):
            kind, name = kinds[k]
            subject = s[su]
            yield t, name, subject, describe(kind, subject, s[r], a, b, s[tx])

    def job_key(self, job: str) -> str:
        """The ``namespace/name`` of the Job named ``job`` (a name or ``namespace/name``);
        ``KeyError`` naming the Jobs of the run if there is none, or if the name is ambiguous."""
        jobs = self.recorder.jobs
        if job in jobs:
            return job
        matches = [key for key, rec in jobs.items() if rec.name == job]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise KeyError(f"Job name {job!r} is ambiguous: {', '.join(matches)}")
        raise KeyError(f"no Job {job!r} in this run; its Jobs: {', '.join(jobs) or 'none'}")

    def runs(self, job: str | None = None) -> list[ContainerRun]:
        """Every container run (of one Job, by name or ``namespace/name``), in start order:
        one per start of a container, restarts under ``OnFailure`` included."""
        if job is None:
            return list(self._runs)
        key = self.job_key(job)
        return [r for r in self._runs if r.job == key]

    def job(self, name: str) -> dict[str, Any]:
        """One job's entry, by name or ``namespace/name`` (``KeyError`` as :meth:`job_key`
        raises it: naming the run's Jobs, or the ones an ambiguous name matches)."""
        key = self.job_key(name)
        return next(j for j in self.jobs() if f"{j['namespace']}/{j['name']}" == key)

    def _json_parts(self, *, with_stats: bool) -> dict[str, Any]:
        """``to_dict``'s object with pods, nodes and events as iterators (not yet cleaned)."""
        data: dict[str, Any] = {
            "scenario": self.scenario,
            "seed": self.seed,
            "jobsimVersion": __version__,
            "end": self.end,
            "jobs": self.jobs(),
            **({"cronJobs": self.cronjobs()} if self.recorder.cronjobs else {}),
            "pods": Rows(_POD_KEYS, (_pod_row(p) for p in self.recorder.pods.values())),
            "nodes": Rows(
                _NODE_KEYS,
                ((n.name, n.pool, n.addedAt, n.removedAt) for n in self.recorder.nodes.values()),
            ),
            "events": Rows(_EVENT_KEYS, self._event_rows()),
        }
        if with_stats:
            data["stats"] = self.stats.to_dict()
        return data

    def to_dict(self, *, with_stats: bool = True) -> dict[str, Any]:
        """The object ``jobsim run --json`` prints; ``with_stats=False`` leaves out ``stats``."""
        data = self._json_parts(with_stats=with_stats)
        for key in ("pods", "nodes", "events"):
            rows: Rows = data[key]
            data[key] = [dict(zip(rows.keys, r, strict=True)) for r in rows.rows]
        cleaned: dict[str, Any] = _clean(data)
        return cleaned

    def write_json(self, out: Writable, *, with_stats: bool = True) -> None:
        """Write ``to_json``'s text to ``out`` piece by piece (pods, nodes and events one at a
        time), never holding it whole; no final newline."""
        parts = self._json_parts(with_stats=with_stats)
        write(out, Cleaned(parts), indent=2)

    def to_json(self, *, with_stats: bool = True) -> str:
        """Deterministic JSON text: same scenario and seed, same bytes. Never ``Infinity`` or
        ``NaN`` (not JSON): such a number raises ``ValueError`` (durations are bounded at load,
        so none should reach a result). ``write_json`` writes it to a file without holding it."""
        buf = io.StringIO()
        self.write_json(buf, with_stats=with_stats)
        return buf.getvalue()

    def write_events(self, out: Writable) -> None:
        """The events as JSON lines (``events.jsonl``, ``jobsim run --events``), one at a time."""
        for ev in self._event_dicts():
            out.write(dumps(Cleaned(ev), indent=None) + "\n")

    # -- DataFrames ----------------------------------------------------------------------
    def jobs_frame(self) -> pd.DataFrame:
        """One row per Job: status, outcome and statistics. Columns: ``JOB_COLUMNS``."""
        stats = {j.job: j for j in self.stats.jobs}
        rows: dict[str, list[Any]] = {c: [] for c in JOB_COLUMNS}
        for key, rec in self.recorder.jobs.items():
            st = rec.status
            js = stats[key]
            values = {
                "job": key,
                "name": rec.name,
                "namespace": rec.namespace,
                "outcome": js.outcome,
                "reason": js.reason,
                "submittedAt": rec.submittedAt,
                "startTime": st.get("startTime"),
                "finishedAt": js.finishedAt,
                "completionTime": st.get("completionTime"),
                "deletedAt": rec.deletedAt,
                "cronJob": rec.cronJob,
                "waitUntilRunning": js.waitUntilRunning,
                "wallTime": js.wallTime,
                "podsCreated": rec.podsCreated,
                "attempts": js.attempts,
                "succeeded": st.get("succeeded", 0),
                "failed": st.get("failed", 0),
                "reExecutions": js.reExecutions,
                "overlappingExecutions": len(js.overlappingExecutions),
                "wastedPodSeconds": js.wastedPodSeconds,
                "usefulPodSeconds": js.usefulPodSeconds,
                "managedBy": rec.managedBy,
            }
            for c in JOB_COLUMNS:
                rows[c].append(values[c])
        return _frame(rows, JOB_COLUMNS)

    def pods_frame(self) -> pd.DataFrame:
        """One row per pod, in creation order. Columns: ``POD_COLUMNS``. Built column by
        column from the pod rows and their lives (no dict per pod)."""
        lv = self.lives
        reqs = requests_by_job(self)
        pods = list(self.recorder.pods.values())
        lives_ = [lv.pods[p.name] for p in pods]
        total, useful, wasted = [], [], []
        for life in lives_:
            t = u = w = 0.0
            for r in life.runs:
                if r.seconds is not None:
                    t += r.seconds
                    if r.useful:
                        u += r.seconds
                    else:
                        w += r.seconds
            total.append(t)
            useful.append(u)
            wasted.append(w)
        req = [reqs.get(p.job) for p in pods]
        rows: dict[str, list[Any]] = {
            c: [getattr(p, c) for p in pods] for c in POD_COLUMNS if c not in _POD_DERIVED
        }
        rows["outcome"] = [life.outcome for life in lives_]
        rows["runs"] = [len(life.runs) for life in lives_]
        rows["runSeconds"] = total
        rows["wastedSeconds"] = wasted
        rows["usefulSeconds"] = useful
        rows["cpu"] = [None if q is None else q.get("cpu", 0) / 1000 for q in req]
        rows["memory"] = [None if q is None else float(q.get("memory", 0)) for q in req]
        return _frame(rows, POD_COLUMNS)

    def runs_frame(self) -> pd.DataFrame:
        """One row per container run, in start order. Columns: ``RUN_COLUMNS``."""
        rows: dict[str, list[Any]] = {c: [] for c in RUN_COLUMNS}
        for r in self._runs:
            values = {
                "pod": r.pod,
                "job": r.job,
                "index": r.index,
                "attempt": r.attempt,
                "node": r.node,
                "start": r.start,
                "end": r.end,
                "seconds": r.seconds,
                "exitCode": r.exit_code,
                "ended": r.ended,
                "reported": r.reported,
            }
            for c in RUN_COLUMNS:
                rows[c].append(values[c])
        return _frame(rows, RUN_COLUMNS)

    def events_frame(self) -> pd.DataFrame:
        """One row per recorded event, in order. Columns: ``EVENT_COLUMNS``. Built from the
        record's columns (numbers and string codes as arrays); only ``message`` is made per
        event."""
        import pandas as pd

        rec = self.recorder
        cols = _event_columns(rec)
        s = rec.strings
        message = [
            describe(Kind(k), s[su], s[r], a, b, s[tx])
            for k, su, r, a, b, tx in zip(
                rec.kind, rec.subject, rec.ref, rec.a, rec.b, rec.text, strict=True
            )
        ]
        names = [k.name for k in Kind]
        data: dict[str, Any] = {
            "t": cols["t"],
            "kind": pd.Categorical.from_codes(cols["kind"], categories=pd.Index(names)),
            **{c: pd.array(cols[c], dtype="string") for c in ("object", "ref")},
            "a": cols["a"],
            "b": cols["b"],
            "text": pd.array(cols["text"], dtype="string"),
            "message": pd.array(message, dtype="string"),
        }
        return pd.DataFrame(data, columns=list(EVENT_COLUMNS))

    def nodes_frame(self) -> pd.DataFrame:
        """One row per node, in the order they joined. Columns: ``NODE_COLUMNS``."""
        nodes = self.recorder.nodes.values()
        caps = [n.capacity or {} for n in nodes]
        known = [n.capacity is not None for n in nodes]
        rows: dict[str, list[Any]] = {
            "name": [n.name for n in nodes],
            "pool": [n.pool for n in nodes],
            "addedAt": [n.addedAt for n in nodes],
            "removedAt": [n.removedAt for n in nodes],
            "cpu": [
                c.get("cpu", 0) / 1000 if k else None for c, k in zip(caps, known, strict=True)
            ],
            "memory": [
                float(c.get("memory", 0)) if k else None for c, k in zip(caps, known, strict=True)
            ],
        }
        return _frame(rows, NODE_COLUMNS)

    # -- files ---------------------------------------------------------------------------
    def export(self, directory: str | Path, *, format: str = "csv") -> list[Path]:
        """Write the tables into ``directory`` (created if needed); return the paths written.
        ``csv``: ``jobs.csv``, ``pods.csv``, ``runs.csv``, ``nodes.csv``, ``events.jsonl``
        and ``result.json`` (with statistics), each JSON streamed. ``parquet``:
        ``jobs``, ``pods``, ``runs``, ``nodes`` and ``events.parquet``, the events straight
        from the record's columns (``EVENT_COLUMNS`` but ``message``, which
        ``record.describe`` makes from them); ``MissingExtra`` without pyarrow."""
        if format not in FORMATS:
            raise ValueError(f"unknown format {format!r}: one of {', '.join(FORMATS)}")
        if format == "parquet":
            require_parquet()
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        frames = {
            "jobs": self.jobs_frame,
            "pods": self.pods_frame,
            "runs": self.runs_frame,
            "nodes": self.nodes_frame,
        }
        paths = []
        if format == "parquet":
            for name, make in frames.items():
                paths.append(_write_parquet(_arrow_table(make()), out / f"{name}.parquet"))
            paths.append(_write_parquet(_events_table(self.recorder), out / "events.parquet"))
            return paths
        for name, make in frames.items():
            make().to_csv(out / f"{name}.csv", index=False)
            paths.append(out / f"{name}.csv")
        paths += [out / "events.jsonl", out / "result.json"]
        with paths[-2].open("w", encoding="utf-8") as fh:
            self.write_events(fh)
        with paths[-1].open("w", encoding="utf-8") as fh:
            self.write_json(fh, with_stats=True)
            fh.write("\n")
        return paths

    def timeline(self, kinds: frozenset[Kind] | None = None) -> list[tuple[float, str]]:
        """(t, sentence) for the events of the given kinds (default: the main ones)."""
        keep = kinds or TIMELINE_KINDS
        return [
            (t, describe(kind, subject, ref, a, b, text))
            for t, kind, subject, ref, a, b, text in self.recorder.events()
            if kind in keep
        ]


_POD_DERIVED = ("outcome", "runs", "runSeconds", "wastedSeconds", "usefulSeconds", "cpu", "memory")
"""``POD_COLUMNS`` read from a pod's life or its Job's requests, not from its row."""


def _frame(rows: dict[str, list[Any]], dtypes: dict[str, str]) -> pd.DataFrame:
    """A DataFrame with exactly these columns and dtypes (pandas imported here, lazily)."""
    import pandas as pd

    data: dict[str, Any] = {}
    for col, dtype in dtypes.items():
        if dtype == "category":
            data[col] = pd.Categorical(rows[col], categories=[k.name for k in Kind])
        else:
            data[col] = pd.Series(rows[col], dtype=dtype)
    return pd.DataFrame(data, columns=list(dtypes))


def _event_columns(rec: Recorder) -> dict[str, Any]:
    """The record's event columns as numpy arrays: numbers as they are, ``kind`` as its
    position in ``Kind`` (categorical codes), strings as object arrays looked up by code."""
    import numpy as np

    position = np.zeros(256, dtype=np.int8)
    for i, k in enumerate(Kind):
        position[int(k)] = i
    strings = np.array(rec.strings, dtype=object)
    return {
        "t": np.frombuffer(rec.t, dtype=np.float64),
        "kind": position[np.frombuffer(rec.kind, dtype=np.uint8)],
        "object": strings[np.frombuffer(rec.subject, dtype=np.uint32)],
        "ref": strings[np.frombuffer(rec.ref, dtype=np.uint32)],
        "a": np.frombuffer(rec.a, dtype=np.int64),
        "b": np.frombuffer(rec.b, dtype=np.float64),
        "text": strings[np.frombuffer(rec.text, dtype=np.uint32)],
    }


class MissingExtra(ImportError):
    """An optional dependency is not installed; the message names the extra to install."""


def require_parquet() -> None:
    """``MissingExtra`` unless pyarrow (the ``parquet`` extra) can be imported."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise MissingExtra("Parquet output needs pyarrow: pip install 'jobsim[parquet]'") from None


def _arrow_table(df: pd.DataFrame) -> Any:
    import pyarrow as pa

    return pa.Table.from_pandas(df, preserve_index=False)


def _events_table(rec: Recorder) -> Any:
    """The events as an Arrow table made from the record's columns: no Python object per
    event. Strings are dictionary-encoded by their codes in the record's string table."""
    import numpy as np
    import pyarrow as pa

    def strings(codes: array[int]) -> Any:
        used, inverse = np.unique(np.frombuffer(codes, dtype=np.uint32), return_inverse=True)
        words = pa.array([rec.strings[i] for i in used.tolist()], type=pa.string())
        return pa.DictionaryArray.from_arrays(pa.array(inverse.astype(np.int32)), words)

    names = pa.array([k.name for k in Kind], type=pa.string())
    position = {int(k): i for i, k in enumerate(Kind)}
    lookup = np.zeros(256, dtype=np.int8)
    for code, i in position.items():
        lookup[code] = i
    kind = pa.DictionaryArray.from_arrays(
        pa.array(lookup[np.frombuffer(rec.kind, dtype=np.uint8)]), names
    )
    table = pa.table(
        {
            "t": pa.array(np.frombuffer(rec.t, dtype=np.float64)),
            "kind": kind,
            "object": strings(rec.subject),
            "ref": strings(rec.ref),
            "a": pa.array(np.frombuffer(rec.a, dtype=np.int64)),
            "b": pa.array(np.frombuffer(rec.b, dtype=np.float64)),
            "text": strings(rec.text),
        }
    )
    # The schema (and pandas metadata) of ``events_frame`` without ``message``: read back,
    # the columns have its dtypes; Arrow decodes the strings, in C++, not object by object.
    columns = {c: d for c, d in EVENT_COLUMNS.items() if c != "message"}
    schema = pa.Schema.from_pandas(_frame({c: [] for c in columns}, columns), preserve_index=False)
    return table.cast(schema)


def _write_parquet(table: Any, path: Path) -> Path:
    import pyarrow.parquet as pq

    pq.write_table(table, path)
    return path


TIMELINE_KINDS = frozenset(
    {
        Kind.JOB_SUBMITTED,
        Kind.JOB_CONDITION,
        Kind.JOB_BACKOFF,
        Kind.JOB_DELETED,
        Kind.JOB_DELETING,
        Kind.JOB_SKIPPED,
        Kind.POD_CREATED,
        Kind.POD_SCHEDULED,
        Kind.CONTAINER_STARTED,
        Kind.CONTAINER_EXITED,
        Kind.CONTAINER_RESTART_BACKOFF,
        Kind.POD_DELETED,
        Kind.POD_CONDITION,
        Kind.NODE_DOWN,
        Kind.NODE_UP,
        Kind.NODE_NOT_READY,
        Kind.POD_UNSCHEDULABLE,
        Kind.IMAGE_PULLED,
        Kind.CRONJOB_EVENT,
    }
)

__all__ = [
    "EVENT_COLUMNS",
    "FORMATS",
    "JOB_COLUMNS",
    "NODE_COLUMNS",
    "POD_COLUMNS",
    "RUN_COLUMNS",
    "SAVE_FORMAT",
    "TIMELINE_KINDS",
    "MissingExtra",
    "Result",
    "require_parquet",
]
