"""The append-only event log: the single source of every output.

The model calls one method per domain event, named after Kubernetes. ``Recorder`` keeps the
log in columns (``array``), not one Python object per event, plus one row per pod, per job and
per node that the events update. ``NullRecorder`` keeps nothing but the Jobs' statuses, for
benchmarks. Each event carries the numbers of its rule (the "why"): in its columns, and for
the controller's decisions in ``numbers`` (the counts and limits behind a condition, a counted
pod or a backoff), so explanations need no second code path. Once the run is over, ``seal``
turns every live status into data: a sealed record refers to nothing of the simulation, and
``to_data``/``from_data`` save and load it whole.
"""

from __future__ import annotations

import math
import sys
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from enum import IntEnum
from typing import Any, Final

from librt.strings import BytesWriter, write_f64_le, write_i32_le, write_i64_le
from mypy_extensions import mypyc_attr

from jobsim.k8s.conditions import TERMINAL_PHASES
from jobsim.units import format_duration


class Kind(IntEnum):
    """Domain events. ``subject`` is the object, ``ref``/``a``/``b`` its rule's numbers."""

    JOB_SUBMITTED = 1  # subject job
    JOB_CONDITION = 2  # subject job, ref "Type/Status/Reason", text message
    JOB_BACKOFF = 3  # subject job, a failures since last success, b remaining seconds
    JOB_DELETED = 4  # subject job, text how ("" for the TTL controller)
    JOB_SKIPPED = 5  # subject job, ref managedBy
    JOB_INDEX_BACKOFF = 6  # subject job, a index, ref failures, b remaining seconds
    JOB_SPEC_CHANGED = 7  # subject job, text what changed
    EVENT_IGNORED = 8  # subject job, text why an outside event did nothing
    JOB_DELETING = 9  # subject job, text how: it has a deletionTimestamp, finalizers hold it
    POD_CREATED = 10  # subject pod, ref job, a index (-1 NonIndexed), b attempt
    POD_SCHEDULED = 11  # subject pod, ref node
    POD_UNSCHEDULABLE = 12  # subject pod, text message
    IMAGE_PULLED = 13  # subject pod, ref image, b seconds
    CONTAINER_STARTED = 14  # subject pod, ref index ("" NonIndexed), a restartCount, b attempt
    CONTAINER_EXITED = 15  # subject pod, a exit code, b when it exited, ref "late" if b != t
    CONTAINER_RESTART_BACKOFF = 16  # subject pod, b delay seconds
    POD_PHASE = 17  # subject pod, ref phase
    POD_DELETED = 18  # subject pod, ref reason, a 1 if a failure at once (``pod_deleted``)
    POD_CONDITION = 19  # subject pod, ref "Type/Status/Reason", text message
    POD_COUNTED = 20  # subject pod, ref "succeeded"/"failed"/"ignored"
    POD_REMOVED = 21  # subject pod: the object is gone from the API
    EVICTION_REFUSED = 22  # subject pod, a HTTP status (429, 500), ref budget, text message
    NODE_DOWN = 30  # subject node
    NODE_UP = 31  # subject node
    NODE_NOT_READY = 32  # subject node
    NODE_TAINTED = 33  # subject node, ref taint
    NODE_CORDONED = 34  # subject node, a 1 cordoned / 0 uncordoned
    NODE_ADDED = 35  # subject node, ref pool
    NODE_REMOVED = 36  # subject node
    CRONJOB_CREATED = 40  # subject cronjob, text schedule (and timeZone)
    CRONJOB_EVENT = 41  # subject cronjob, ref reason, a 1 for a Warning, text message


# The Kinds of the entries every pod writes, as Final ints: compiled, ``Kind.X`` is a globals
# lookup and a class attribute lookup at each use.
_POD_CREATED: Final[int] = Kind.POD_CREATED.value
_POD_SCHEDULED: Final[int] = Kind.POD_SCHEDULED.value
_CONTAINER_STARTED: Final[int] = Kind.CONTAINER_STARTED.value
_CONTAINER_EXITED: Final[int] = Kind.CONTAINER_EXITED.value
_POD_PHASE: Final[int] = Kind.POD_PHASE.value
_POD_COUNTED: Final[int] = Kind.POD_COUNTED.value


_NO_TIME: Final = math.nan
"""A time a pod has not reached, as ``PodRecord`` keeps it (its property says None)."""


def _time(t: float) -> float | None:
    return None if t != t else t  # NaN: not reached


def _stamp(t: float | None) -> float:
    """A time as ``PodRecord`` keeps it: NaN for None."""
    return _NO_TIME if t is None else float(t)


def _count(n: int | None, name: str) -> int:
    """An index or attempt as ``PodRecord`` keeps it: -1 for None."""
    if n is None:
        return -1
    if n < 0:
        raise ValueError(f"PodRecord.{name} must be 0 or more, or None: {n}")
    return n


class PodRecord:
    """One pod's life, as the result reports it.

    Its times, index and attempt are kept as machine numbers (NaN and -1 for None) and its
    conditions list made on first use (compiled, a boxed float or int per value and an empty
    list a pod were a fifth of a big record's memory); ``index``, ``attempt``,
    ``scheduledAt`` to ``removedAt`` and ``conditions`` are properties reading them. It
    compares, prints and pickles by its fields as the dataclass it was did."""

    name: str
    job: str
    createdAt: float
    node: str | None
    phase: str
    exitCode: int | None
    restarts: int
    counted: str | None

    def __init__(
        self,
        name: str,
        job: str,
        index: int | None,
        createdAt: float,
        attempt: int | None = None,
        node: str | None = None,
        phase: str = "Pending",
        exitCode: int | None = None,
        restarts: int = 0,
        scheduledAt: float | None = None,
        startedAt: float | None = None,
        finishedAt: float | None = None,
        deletedAt: float | None = None,
        removedAt: float | None = None,
        counted: str | None = None,
        conditions: list[dict[str, Any]] | None = None,
    ) -> None:
        self.name = name
        self.job = job
        self._index = _count(index, "index")
        self.createdAt = float(createdAt)
        self._attempt = _count(attempt, "attempt")
        self.node = node
        self.phase = phase
        self.exitCode = exitCode
        self.restarts = restarts
        self._scheduled_at = _stamp(scheduledAt)
        self._started_at = _stamp(startedAt)
        self._finished_at = _stamp(finishedAt)
        self._deleted_at = _stamp(deletedAt)
        self._removed_at = _stamp(removedAt)
        self.counted = counted
        self._conditions: list[dict[str, Any]] | None = conditions
        self.number: int = -1
        """Not a field: the number of the name in its recorder's strings, set by
        ``pod_created`` (a pod's name is numbered without the string table's dict); -1 for a
        record loaded from data, whose table's dict holds every string."""

    @property
    def index(self) -> int | None:
        """The completion index (Indexed Jobs), else None."""
        i = self._index
        return None if i < 0 else i

    @index.setter
    def index(self, index: int | None) -> None:
        self._index = _count(index, "index")

    @property
    def attempt(self) -> int | None:
        """The run of its index (or of its Job's pods) it is, None before it started."""
        a = self._attempt
        return None if a < 0 else a

    @attempt.setter
    def attempt(self, attempt: int | None) -> None:
        self._attempt = _count(attempt, "attempt")

    @property
    def scheduledAt(self) -> float | None:
        return _time(self._scheduled_at)

    @scheduledAt.setter
    def scheduledAt(self, t: float | None) -> None:
        self._scheduled_at = _stamp(t)

    @property
    def startedAt(self) -> float | None:
        return _time(self._started_at)

    @startedAt.setter
    def startedAt(self, t: float | None) -> None:
        self._started_at = _stamp(t)

    @property
    def finishedAt(self) -> float | None:
        return _time(self._finished_at)

    @finishedAt.setter
    def finishedAt(self, t: float | None) -> None:
        self._finished_at = _stamp(t)

    @property
    def deletedAt(self) -> float | None:
        return _time(self._deleted_at)

    @deletedAt.setter
    def deletedAt(self, t: float | None) -> None:
        self._deleted_at = _stamp(t)

    @property
    def removedAt(self) -> float | None:
        return _time(self._removed_at)

    @removedAt.setter
    def removedAt(self, t: float | None) -> None:
        self._removed_at = _stamp(t)

    @property
    def conditions(self) -> list[dict[str, Any]]:
        c = self._conditions
        if c is None:
            c = self._conditions = []
        return c

    @conditions.setter
    def conditions(self, conditions: list[dict[str, Any]]) -> None:
        self._conditions = conditions

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f) for f in _POD_FIELDS)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, PodRecord)
        return self._values() == other._values()

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __repr__(self) -> str:
        values = ", ".join(f"{f}={getattr(self, f)!r}" for f in _POD_FIELDS)
        return f"PodRecord({values})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Compiled, unpickling would call __init__ with no arguments (users pickle records).
        return (PodRecord, self._values(), self.number)

    def __setstate__(self, number: int) -> None:
        self.number = number

    def asdict(self) -> dict[str, Any]:
        """Every field by name (as ``dataclasses.asdict`` gave it): what a saved record
        keeps."""
        values = {f: getattr(self, f) for f in _POD_FIELDS}
        values["conditions"] = [dict(c) for c in self.conditions]
        return values

    def to_dict(self) -> dict[str, Any]:
        """The ``pods[]`` entry of the result."""
        return {
            "name": self.name,
            "job": self.job,
            "index": self.index,
            "attempt": self.attempt,
            "node": self.node,
            "phase": self.phase,
            "exitCode": self.exitCode,
            "restarts": self.restarts,
            "createdAt": self.createdAt,
            "scheduledAt": self.scheduledAt,
            "startedAt": self.startedAt,
            "finishedAt": self.finishedAt,
            "deletedAt": self.deletedAt,
            "counted": self.counted,
            "conditions": list(self.conditions),
        }


_POD_FIELDS: Final = (
    "name",
    "job",
    "index",
    "createdAt",
    "attempt",
    "node",
    "phase",
    "exitCode",
    "restarts",
    "scheduledAt",
    "startedAt",
    "finishedAt",
    "deletedAt",
    "removedAt",
    "counted",
    "conditions",
)
"""PodRecord's fields, in order."""


StatusSource = Callable[[], dict[str, Any]]
"""Gives a Job's status as last written. The model passes its live status; a recorder that
looks at every status calls it at once, one that keeps only the last calls it when read, so
long runs never build a status they do not need."""


def frozen(status: dict[str, Any]) -> StatusSource:
    """A source that always gives this one status."""
    return lambda: status


@dataclass(slots=True, init=False)  # a compiled __init__ (mypyc runs a generated one)
class NodeRecord:
    """One node's life in the cluster (for node-hours) and its allocatable resources."""

    name: str
    pool: str
    addedAt: float
    removedAt: float | None
    capacity: dict[str, int] | None
    """Allocatable resources (cpu in millicores, the rest in units); None if unknown. A run's
    records of one pool's nodes share one dict: read only."""

    def __init__(
        self,
        name: str,
        pool: str,
        addedAt: float,
        removedAt: float | None = None,
        capacity: dict[str, int] | None = None,
    ) -> None:
        self.name = name
        self.pool = pool
        self.addedAt = addedAt
        self.removedAt = removedAt
        self.capacity = capacity

    def __reduce__(self) -> tuple[Any, ...]:
        # Compiled, unpickling would call __init__ with no arguments (users pickle records).
        return (NodeRecord, (self.name, self.pool, self.addedAt, self.removedAt, self.capacity))

    def to_dict(self) -> dict[str, Any]:
        """The ``nodes[]`` entry of the result."""
        return {
            "name": self.name,
            "pool": self.pool,
            "addedAt": self.addedAt,
            "removedAt": self.removedAt,
        }


@dataclass(slots=True)
class JobRecord:
    """One Job: its status as the controller last wrote it, and its pods' requests."""

    key: str
    name: str
    namespace: str
    submittedAt: float
    source: StatusSource | None = None
    """The live status while the run goes on; ``seal`` replaces it by ``written``."""
    deletedAt: float | None = None
    managedBy: str | None = None
    podsCreated: int = 0
    requests: dict[str, int] | None = None
    """Each pod's effective requests (cpu in millicores, the rest in units); None if unknown."""
    written: dict[str, Any] = field(default_factory=dict)
    cronJob: str | None = None
    """``namespace/name`` of the CronJob that created the Job (its controller owner)."""

    @property
    def status(self) -> dict[str, Any]:
        """The last status written (batch/v1 JobStatus shape); ``{}`` if none."""
        return self.source() if self.source is not None else self.written

    def seal(self) -> None:
        """Keep the last status as data, not as a view of the live Job."""
        if self.source is not None:
            self.written = self.source()
            self.source = None


CRONJOB_DELETE = "by its CronJob"
"""How a ``JOB_DELETED`` event's text begins when the Job's CronJob deleted it."""

CRONJOB_UPDATED = "SpecChanged"
"""The reason of a ``CRONJOB_EVENT`` that is an outside update of the CronJob (``suspend``,
``resume``, ``patchCronJob``): jobsim's record of the user's action, not a controller Event."""
CRONJOB_MANUAL_JOB = "ManualJob"
"""The reason of a ``CRONJOB_EVENT`` that is ``kubectl create job --from=cronjob/…``: jobsim's
record of the user's action, not a controller Event."""
OUTSIDE_CRONJOB_REASONS = frozenset({CRONJOB_UPDATED, CRONJOB_MANUAL_JOB})
"""``CRONJOB_EVENT`` reasons that record what the user did, not what the controller said."""


class _Interned(dict[str, int]):
    """A record's string table as jobsim kept it before its recorders held ``_ids`` and
    ``_strings``: what older pickles hold (``Recorder.__setstate__`` reads it)."""

    def __init__(self, strings: list[str] | None = None) -> None:
        self.strings: list[str] = list(strings) if strings is not None else [""]
        super().__init__((s, i) for i, s in enumerate(self.strings))

    def __missing__(self, s: str) -> int:
        i = len(self.strings)
        self.strings.append(s)
        self[s] = i
        return i

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Interned, (self.strings,))  # an older pickle's table, read back whole


def _LivePod(record: PodRecord, id_: int) -> PodRecord:
    """What a record pickled mid-run before ``PodRecord.number`` (d492ebf to 502a650) held for
    a live pod, a ``_LivePod(record, id)``: now the record, numbered."""
    record.number = id_
    return record


_EMPTY: Final = 0
"""The number of ``""`` in a record's strings: a new record's first string."""

_MAX_KEPT: Final = 2**53
"""Counts kept as int64s are below it (a Job's completions are at most 10^7); compiled, a
comparison with it is one of machine words (2**62 and above are boxed)."""


def _append(column: array[Any], writer: BytesWriter) -> None:
    """Append the writer's values (little-endian, the column's layout) to the column."""
    if _BIG_ENDIAN:
        moved = array(column.typecode, writer.getvalue())
        moved.byteswap()
        column.extend(moved)
    else:
        column.frombytes(writer.getvalue())


def _or_none(c: int) -> int | None:
    return None if c < 0 else c


def _position(item: tuple[int, dict[str, Any]]) -> int:
    return item[0]


_COLUMNS = ("t", "kind", "subject", "ref", "a", "b", "text")
_WRITERS: Final = frozenset(f"_w_{c}" for c in _COLUMNS)
_NOT_STATE: Final = _WRITERS | {"_filed", "_unfiled"}
"""A recorder's attributes a pickle leaves out: the writers (their entries are moved into the
columns first) and the pods' rows as kept (a pickle keeps ``pods``)."""
_STATE: Final = (
    "level",  # compiled, an instance attribute: a loaded record's own
    *(f"_{c}" for c in _COLUMNS),
    "_strings",
    "_ids",
    "_index_texts",
    "_numbers",
    "_succeeded",
    "_succeeded_pending",
    "pods",
    "_live",
    "jobs",
    "nodes",
    "cronjobs",
    "views",
)
"""A recorder's attributes a pickle keeps (``__getstate__``)."""
_BIG_ENDIAN: Final = sys.byteorder == "big"
_BLOCK: Final = 65536
"""Entries a recorder keeps in its writers before it moves them into its columns (512 KB a
column of 8 bytes). An array grows by a sixteenth and copies itself when it does: blocks of
256 cost 190 instructions an entry so. Moving all of a million pods' entries only when read
held three copies of a column at once (a peak RSS of 1,128 MiB against 989)."""
_COUNTS_BLOCK: Final = 768
"""Succeeded counts (three ints a pod) a recorder keeps in a list before it moves them
into their array."""
_JOB_FIELDS = (
    "key",
    "name",
    "namespace",
    "submittedAt",
    "deletedAt",
    "managedBy",
    "podsCreated",
    "requests",
    "cronJob",
)


@mypyc_attr(allow_interpreted_subclasses=True)  # users subclass recorders
class Recorder:
    """Columns of events plus pod, job and node rows."""

    level = "full"
    """What the record holds: ``full`` (every event: statistics, explanations, plots),
    ``jobs`` (``JobRecorder``: the Jobs' events and rows, the nodes, no pod events) or ``none``
    (``NullRecorder``: the Jobs' statuses only)."""

    def __init__(self) -> None:
        # The columns, and a writer of each for the entries not yet moved into it: compiled,
        # a writer's write is a C call on a machine number (a list's append boxes it, and a
        # move into an array parses it). ``_row`` moves them in blocks (``_BLOCK``), and
        # every column read moves them first.
        self._t = array("d")
        self._kind = array("B")
        self._subject = array("I")
        self._ref = array("I")
        self._a = array("q")
        self._b = array("d")
        self._text = array("I")
        self._new_writers()
        self._strings: list[str] = [""]
        """The string table: ``subject``, ``ref`` and ``text`` hold positions in it."""
        self._ids: dict[str, int] = {"": _EMPTY}
        """Each string's position in ``_strings`` (``_id``)."""
        self._index_texts: dict[int, int] = {}
        """The position in ``_strings`` of each completion index's text, the ``ref`` of an
        Indexed pod's container starts, by the index: not through ``_ids``, where an Indexed
        Job of 100,000 completions hashed as many new strings into one dict (9% of the
        last-level read misses of ``make bench``'s Indexed row). Its indexes come in order:
        so do this dict's slots."""
        self._numbers: dict[int, dict[str, Any]] = {}
        self._succeeded = array("q")
        """The numbers of pods counted succeeded, ``{"succeeded": s, "completions": c}``, as
        (position, s, c or -1 for None) triples: a dict each was a quarter of a big record's
        memory. ``numbers`` moves them into its dict when read."""
        self._succeeded_pending: list[int] = []
        """Triples not yet in ``_succeeded``: compiled, a list append is a C call where an
        array's is a method call."""
        self._filed: dict[str, PodRecord] = {}
        self._unfiled: list[PodRecord] = []
        """Rows of pods created and not yet in ``_filed`` (``pods`` files them when read)."""
        self._live: dict[str, PodRecord] = {}
        """The pods created and not yet counted nor removed: a pod's events find its row in
        this small map rather than in ``pods``, whose lookups of a million pods' names miss
        the processor's caches."""
        self.jobs: dict[str, JobRecord] = {}
        self.nodes: dict[str, NodeRecord] = {}
        self.cronjobs: dict[str, dict[str, Any]] = {}
        """Each CronJob's last status (batch/v1 CronJobStatus shape, virtual times) and
        spec summary, by ``namespace/name``."""
        self.views: dict[str, object] = {}
        """What readers derive from a finished record, cached by them under their own key
        (the experiment layer's Job times)."""

    @property
    def pods(self) -> dict[str, PodRecord]:
        """Every pod's row by its name, in the order the pods were created. A new pod's row is
        filed here when this is next read, not when the pod is created: an insert into the
        index of a million names, scattered through the run, misses the processor's caches
        (perf at a million pods: ``pod_created`` three times the first row's time a pod, most
        of it dict lookups), one pass at the end presumably less so (about 0.3 us a pod; a
        little faster in all), and a run whose reader never asks for it (Job statistics
        only) never builds it."""
        unfiled = self._unfiled
        if unfiled:
            pods = self._filed
            for p in unfiled:
                pods[p.name] = p
            unfiled.clear()
        return self._filed

    @pods.setter
    def pods(self, pods: dict[str, PodRecord]) -> None:
        self._filed = pods
        self._unfiled = []

    # -- storage -------------------------------------------------------------------------
    def _id(self, s: str) -> int:
        """The string's number, a new one the first time (compiled, a plain dict's lookup is
        a C call, where a dict subclass's ``__missing__`` made a miss a method call)."""
        i = self._ids.get(s)
        if i is None:
            i = self._ids[s] = len(self._strings)
            self._strings.append(s)
        return i

    def _pod(self, name: str) -> PodRecord:
        """The pod's row, its name numbered: from the live pods, else from ``pods``."""
        p = self._live.get(name)
        if p is None:
            p = self.pods[name]
            if p.number < 0:  # loaded from data
                p.number = self._id(name)
        return p

    def _pod_id(self, name: str) -> int:
        """The number of a pod's name, as its events' subject; a name no pod had is a string
        like another (``_id``)."""
        p = self._live.get(name)
        if p is not None:
            return p.number
        return self._pod(name).number if name in self.pods else self._id(name)

    def _forget(self, name: str) -> None:
        """The pod is counted or gone: its later events, if any, look it up in full."""
        live = self._live
        if name in live:  # compiled, dict.pop is a method call by name
            del live[name]

    def _new_writers(self) -> None:
        """Empty writers of the entries not yet in the columns, in their columns' layout."""
        self._w_t = BytesWriter()
        self._w_kind = BytesWriter()
        self._w_subject = BytesWriter()
        self._w_ref = BytesWriter()
        self._w_a = BytesWriter()
        self._w_b = BytesWriter()
        self._w_text = BytesWriter()

    def _row(
        self, t: float, kind: int, subject: int, ref: int, a: int, b: float, text: int
    ) -> None:
        """Append one entry, its strings already numbered."""
        write_f64_le(self._w_t, t)
        self._w_kind.append(kind)
        write_i32_le(self._w_subject, subject)
        write_i32_le(self._w_ref, ref)
        write_i64_le(self._w_a, a)
        write_f64_le(self._w_b, b)
        write_i32_le(self._w_text, text)
        if len(self._w_kind) >= _BLOCK:
            self._flush(False)

    def _flush(self, free: bool = True) -> None:
        """Move the written entries into the columns. ``free``: with new, empty writers (a
        read of a column: the record is most likely done), else the writers keep their
        buffers for the next block."""
        if not len(self._w_kind):
            return
        _append(self._t, self._w_t)
        _append(self._kind, self._w_kind)
        _append(self._subject, self._w_subject)
        _append(self._ref, self._w_ref)
        _append(self._a, self._w_a)
        _append(self._b, self._w_b)
        _append(self._text, self._w_text)
        if free:
            self._new_writers()
        else:
            for writer in (
                self._w_t,
                self._w_kind,
                self._w_subject,
                self._w_ref,
                self._w_a,
                self._w_b,
                self._w_text,
            ):
                writer.truncate(0)

    def __getstate__(self) -> dict[str, Any]:
        """What a pickle keeps: the recorder's attributes (``_STATE``) and a subclass's own
        (in its ``__dict__`` or ``__slots__``), not the writers (which cannot be pickled),
        their entries moved into the columns first."""
        self._flush()
        state = {name: getattr(self, name) for name in _STATE if hasattr(self, name)}
        extra = getattr(self, "__dict__", None)  # interpreted: all; else a subclass's own
        if extra:
            state.update((k, v) for k, v in extra.items() if k not in _NOT_STATE)
        for cls in type(self).__mro__:
            slots = cls.__dict__.get("__slots__", ())
            for name in (slots,) if isinstance(slots, str) else slots:
                if name not in ("__dict__", "__weakref__") and hasattr(self, name):
                    state[name] = getattr(self, name)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._new_writers()
        self._index_texts = {}  # a record pickled before it kept them
        pending = state.get("_pending")  # a record pickled before the writers: lists
        for name, value in state.items():
            if name != "_pending":
                setattr(self, name, value)
        old = state.get("_ids")
        if isinstance(old, _Interned):  # before ``_strings``: the table was one dict subclass
            self._strings = old.strings
            self._ids = dict(old)
        if pending:
            for row in zip(*pending, strict=True):
                self._row(*row)

    @property
    def t(self) -> array[float]:
        """Each entry's virtual time (seconds)."""
        self._flush()
        return self._t

    @property
    def kind(self) -> array[int]:
        """Each entry's ``Kind``."""
        self._flush()
        return self._kind

    @property
    def subject(self) -> array[int]:
        """Each entry's subject: a position in ``strings``."""
        self._flush()
        return self._subject

    @property
    def ref(self) -> array[int]:
        """Each entry's second string (see ``Kind``): a position in ``strings``."""
        self._flush()
        return self._ref

    @property
    def a(self) -> array[int]:
        """Each entry's integer (see ``Kind``)."""
        self._flush()
        return self._a

    @property
    def b(self) -> array[float]:
        """Each entry's second number (see ``Kind``)."""
        self._flush()
        return self._b

    @property
    def text(self) -> array[int]:
        """Each entry's text: a position in ``strings``."""
        self._flush()
        return self._text

    def _log(
        self,
        t: float,
        kind: Kind,
        subject: str,
        ref: str = "",
        a: int = 0,
        b: float = 0.0,
        text: str = "",
        numbers: dict[str, Any] | None = None,
    ) -> None:
        if numbers:
            self._numbers[len(self)] = numbers
        self._log_id(t, kind, self._id(subject), ref, a, b, text)

    def _log_id(
        self,
        t: float,
        kind: Kind,
        subject: int,
        ref: str = "",
        a: int = 0,
        b: float = 0.0,
        text: str = "",
    ) -> None:
        """``_log`` with the subject already numbered: a pod's events (``_pod_id``)."""
        ref_id = self._id(ref) if ref else _EMPTY  # most events have no ref or no text
        text_id = self._id(text) if text else _EMPTY
        self._row(t, kind, subject, ref_id, a, b, text_id)

    def __len__(self) -> int:
        return len(self._t) + len(self._w_kind)

    @property
    def numbers(self) -> dict[int, dict[str, Any]]:
        """The numbers behind an event's decision, by event position, in event order."""
        kept = self._succeeded
        kept.fromlist(self._succeeded_pending)
        self._succeeded_pending.clear()
        if kept:
            counted = [
                (kept[i], {"succeeded": kept[i + 1], "completions": _or_none(kept[i + 2])})
                for i in range(0, len(kept), 3)
            ]
            merged = sorted([*self._numbers.items(), *counted], key=_position)
            self._numbers.clear()  # the same dict: a reader may hold it
            self._numbers.update(merged)
            del kept[:]
        return self._numbers

    @numbers.setter
    def numbers(self, value: dict[int, dict[str, Any]]) -> None:
        self._numbers = value
        del self._succeeded[:]
        self._succeeded_pending.clear()

    @property
    def strings(self) -> list[str]:
        """The string table: ``subject``, ``ref`` and ``text`` hold positions in it."""
        return self._strings

    def seal(self) -> None:
        """The run is over: every Job's last status becomes data."""
        for job in self.jobs.values():
            job.seal()
        live = getattr(self, "_live", None)  # none in a record pickled before it was kept
        if live is not None:
            live.clear()

    # -- save and load -------------------------------------------------------------------
    def to_data(self, *, lazy: bool = False) -> dict[str, Any]:
        """The whole sealed record as JSON-ready data, exact (``from_data`` reads it back).
        ``lazy``: the long lists (strings, event columns, numbers, pods, nodes) as iterators
        over the record, for a writer that streams them (``jsonstream.write``)."""
        self.seal()

        def seq(items: Iterable[Any]) -> Iterable[Any]:
            return iter(items) if lazy else list(items)

        return {
            "level": self.level,
            "strings": seq(self._strings),
            "events": {c: seq(getattr(self, c)) for c in _COLUMNS},
            "numbers": seq([i, n] for i, n in self.numbers.items()),
            "pods": seq(p.asdict() for p in self.pods.values()),
            "jobs": [
                {**{f: getattr(j, f) for f in _JOB_FIELDS}, "status": j.written}
                for j in self.jobs.values()
            ],
            "nodes": seq(asdict(n) for n in self.nodes.values()),
            **({"cronJobs": self.cronjobs} if self.cronjobs else {}),
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Recorder:
        """A sealed record from ``to_data``'s output."""
        rec = cls()
        rec.level = str(data.get("level", "full"))
        rec._strings = list(data["strings"])
        rec._ids = {s: i for i, s in enumerate(rec._strings)}
        for c in _COLUMNS:
            getattr(rec, c).extend(data["events"][c])
        rec.numbers = {int(i): n for i, n in data["numbers"]}
        rec.pods = {}
        for i, p in enumerate(data["pods"]):
            try:
                rec.pods[p["name"]] = PodRecord(**p)
            except (TypeError, ValueError) as e:  # a hand-edited save: say which pod
                raise ValueError(f"record.pods[{i}] ({p.get('name')!r}): {e}") from None
        for j in data["jobs"]:
            fields = {f: j.get(f) for f in _JOB_FIELDS}
            rec.jobs[j["key"]] = JobRecord(**fields, written=j["status"])
        rec.nodes = {n["name"]: NodeRecord(**n) for n in data["nodes"]}
        rec.cronjobs = dict(data.get("cronJobs", {}))
        return rec

    def select(self, *kinds: Kind) -> Iterator[tuple[int, float, Kind, str, str, int, float, str]]:
        """``(position, t, kind, subject, ref, a, b, text)`` of the events of these kinds, in
        order, found without decoding the others."""
        import numpy as np

        self._flush()
        t, kind, subject, ref, a, b, text = (
            self._t,
            self._kind,
            self._subject,
            self._ref,
            self._a,
            self._b,
            self._text,
        )
        wanted = np.isin(np.frombuffer(kind, dtype=np.uint8), [int(k) for k in kinds])
        s = self._strings
        for i in np.flatnonzero(wanted).tolist():
            yield (i, t[i], Kind(kind[i]), s[subject[i]], s[ref[i]], a[i], b[i], s[text[i]])

    def events(self) -> Iterator[tuple[float, Kind, str, str, int, float, str]]:
        """Every event as ``(t, kind, subject, ref, a, b, text)``, in order."""
        self._flush()
        t, kind, subject, ref, a, b, text = (
            self._t,
            self._kind,
            self._subject,
            self._ref,
            self._a,
            self._b,
            self._text,
        )
        s = self._strings
        for i in range(len(t)):
            yield (t[i], Kind(kind[i]), s[subject[i]], s[ref[i]], a[i], b[i], s[text[i]])

    # -- jobs ----------------------------------------------------------------------------
    def job_submitted(
        self,
        t: float,
        key: str,
        name: str,
        namespace: str,
        spec: dict[str, Any] | None = None,
        requests: dict[str, int] | None = None,
    ) -> None:
        """A Job is created; ``spec`` holds the defaulted fields its rules read."""
        self.jobs[key] = JobRecord(key, name, namespace, t, requests=requests)
        self._log(t, Kind.JOB_SUBMITTED, key, numbers=spec)

    def job_skipped(self, t: float, key: str, managed_by: str) -> None:
        self.jobs[key].managedBy = managed_by
        self._log(t, Kind.JOB_SKIPPED, key, managed_by)

    def job_status(self, t: float, key: str, status: StatusSource) -> None:
        self.jobs[key].source = status

    def job_condition(
        self,
        t: float,
        key: str,
        type_: str,
        status: str,
        reason: str,
        message: str,
        numbers: dict[str, Any] | None = None,
    ) -> None:
        """A Job condition set; ``numbers`` are the counts and limits behind it."""
        ref = f"{type_}/{status}/{reason}"
        self._log(t, Kind.JOB_CONDITION, key, ref, text=message, numbers=numbers)

    def job_backoff(
        self,
        t: float,
        key: str,
        failures: int,
        remaining: float,
        numbers: dict[str, Any] | None = None,
    ) -> None:
        """The controller waits ``remaining`` seconds; ``numbers`` hold the whole delay."""
        self._log(t, Kind.JOB_BACKOFF, key, a=failures, b=remaining, numbers=numbers)

    def job_index_backoff(
        self,
        t: float,
        key: str,
        index: int,
        failures: int,
        remaining: float,
        numbers: dict[str, Any] | None = None,
    ) -> None:
        """Index ``index`` waits ``remaining`` seconds; ``numbers`` hold the whole delay."""
        ref = str(failures)
        self._log(t, Kind.JOB_INDEX_BACKOFF, key, ref, a=index, b=remaining, numbers=numbers)

    def job_spec_changed(
        self, t: float, key: str, change: str, spec: dict[str, Any] | None = None
    ) -> None:
        """The Job's spec was updated; ``spec`` holds the new defaulted fields."""
        self._log(t, Kind.JOB_SPEC_CHANGED, key, text=change, numbers=spec)

    def event_ignored(self, t: float, key: str, why: str, kind: str = "Job") -> None:
        """An outside event about ``key`` (a Job, or a ``kind`` "CronJob") did nothing."""
        self._log(t, Kind.EVENT_IGNORED, key, "" if kind == "Job" else kind, text=why)

    def job_deleting(self, t: float, key: str, how: str) -> None:
        """The Job got a deletionTimestamp; a finalizer (``foregroundDeletion``) keeps it."""
        self._log(t, Kind.JOB_DELETING, key, text=how)

    def job_deleted(self, t: float, key: str, how: str = "") -> None:
        """The Job object is gone (``how``: by whom and with which propagation)."""
        self.jobs[key].deletedAt = t
        self._log(t, Kind.JOB_DELETED, key, text=how)

    def job_owned(self, key: str, cronjob: str) -> None:
        """The Job ``key`` was created by CronJob ``cronjob`` (its controller owner)."""
        self.jobs[key].cronJob = cronjob

    # -- cronjobs --------------------------------------------------------------------------
    def cronjob_created(self, t: float, key: str, name: str, namespace: str, spec: str) -> None:
        """A CronJob is created; ``spec`` is its schedule in words."""
        self.cronjobs[key] = {"name": name, "namespace": namespace, "createdAt": t, "status": {}}
        self._log(t, Kind.CRONJOB_CREATED, key, text=spec)

    def cronjob_event(self, t: float, key: str, reason: str, message: str, warning: bool) -> None:
        """An Event the CronJob controller records on the CronJob (``reason``, ``message``)."""
        self._log(t, Kind.CRONJOB_EVENT, key, reason, a=int(warning), text=message)

    def cronjob_status(
        self, t: float, key: str, status: dict[str, Any], suspended: bool = False
    ) -> None:
        """The CronJob's status after a sync, and ``suspend: true`` while its spec says so
        (kubectl's SUSPEND column)."""
        entry = self.cronjobs[key]
        entry["status"] = status
        if suspended:
            entry["suspend"] = True
        else:
            entry.pop("suspend", None)

    # -- pods ----------------------------------------------------------------------------
    # The events every pod has number their strings and append their row themselves rather
    # than through ``_log`` (its keyword arguments cost more than the row); ``_EMPTY`` is the
    # empty string's number.
    def pod_created(self, t: float, name: str, job: str, index: int | None) -> None:
        p = PodRecord(name, job, index, t)
        self._unfiled.append(p)
        self.jobs[job].podsCreated += 1
        strings = self._strings
        i = p.number = len(strings)  # a pod's own: its name is not looked up in ``_ids``
        strings.append(name)
        self._live[name] = p
        self._row(t, _POD_CREATED, i, self._id(job), -1 if index is None else index, 0.0, _EMPTY)

    def pod_scheduled(self, t: float, name: str, node: str) -> None:
        p = self._pod(name)
        p.node = node
        p._scheduled_at = t
        self._row(t, _POD_SCHEDULED, p.number, self._id(node), 0, 0.0, _EMPTY)

    def pod_unschedulable(self, t: float, name: str, message: str) -> None:
        self._log_id(t, Kind.POD_UNSCHEDULABLE, self._pod_id(name), text=message)

    def image_pulled(self, t: float, name: str, image: str, seconds: float) -> None:
        self._log_id(t, Kind.IMAGE_PULLED, self._pod_id(name), image, b=seconds)

    def container_started(self, t: float, name: str, restarts: int, attempt: int) -> None:
        p = self._pod(name)
        if p._started_at != p._started_at:  # NaN: not started before
            p._started_at = t
            p._attempt = attempt
        p.restarts = restarts
        index = p._index
        ref = _EMPTY
        if index >= 0:  # the index's text, numbered by the index (``_index_texts``)
            texts = self._index_texts
            ref = texts.get(index, -1)
            if ref < 0:
                strings = self._strings
                ref = texts[index] = len(strings)
                strings.append(str(index))
        self._row(t, _CONTAINER_STARTED, p.number, ref, restarts, attempt, _EMPTY)

    def container_exited(self, t: float, name: str, exit_code: int, exited_at: float) -> None:
        p = self._pod(name)
        p.exitCode = exit_code
        late = _EMPTY if exited_at == t else self._id("late")
        self._row(t, _CONTAINER_EXITED, p.number, late, exit_code, exited_at, _EMPTY)

    def container_restart_backoff(self, t: float, name: str, delay: float) -> None:
        self._log_id(t, Kind.CONTAINER_RESTART_BACKOFF, self._pod_id(name), b=delay)

    def pod_phase(self, t: float, name: str, phase: str) -> None:
        p = self._pod(name)
        p.phase = phase
        if phase in TERMINAL_PHASES:
            p._finished_at = t
        self._row(t, _POD_PHASE, p.number, self._id(phase), 0, 0.0, _EMPTY)

    def pod_deleted(self, t: float, name: str, reason: str, failed_at_once: bool) -> None:
        """A DELETE (a deletionTimestamp). ``failed_at_once``: the pod still held the Job's
        tracking finalizer and the Job controller's ``isPodFailed`` became true for it now
        (podReplacementPolicy TerminatingOrFailed, or PodGC marked it Failed first). Whether
        and how the controller counts the pod is the ``POD_COUNTED`` event's to say: a pod its
        own finishing sync deletes counts as failed if the Job fails, not at all if it
        succeeds, whatever this flag says."""
        p = self._pod(name)
        p._deleted_at = t
        self._log_id(t, Kind.POD_DELETED, p.number, reason, a=int(failed_at_once))

    def pod_condition(
        self, t: float, name: str, type_: str, status: str, reason: str, message: str
    ) -> None:
        p = self._pod(name)
        p.conditions.append(
            {
                "type": type_,
                "status": status,
                "reason": reason,
                "message": message,
                "lastTransitionTime": t,
            }
        )
        self._log_id(t, Kind.POD_CONDITION, p.number, f"{type_}/{status}/{reason}", text=message)

    def pod_counted(
        self, t: float, name: str, as_: str, numbers: dict[str, Any] | None = None
    ) -> None:
        """The controller counted a pod; ``numbers``: the count and the limit it meets."""
        p = self._pod(name)
        p.counted = as_
        if numbers and (as_ != "succeeded" or not self._keep_succeeded(numbers)):
            self._numbers[len(self)] = numbers
        self._row(t, _POD_COUNTED, p.number, self._id(as_), 0, 0.0, _EMPTY)
        self._forget(name)

    def _keep_succeeded(self, numbers: dict[str, Any]) -> bool:
        """Keep ``{"succeeded": s, "completions": c}`` (those keys in that order, ``s`` an
        int, ``c`` an int or None) as a triple; False for any other numbers."""
        if len(numbers) != 2:
            return False
        expected = "succeeded"
        for key in numbers:  # compiled, a dict's own iteration: no tuple, no iterator object
            if key != expected:
                return False
            expected = "completions"
        succeeded = numbers["succeeded"]
        completions = numbers["completions"]
        if type(succeeded) is not int or not 0 <= succeeded < _MAX_KEPT:
            return False
        if completions is None:
            completions = -1
        elif type(completions) is not int or not 0 <= completions < _MAX_KEPT:
            return False
        pending = self._succeeded_pending
        pending.append(len(self))
        pending.append(succeeded)
        pending.append(completions)
        if len(pending) >= _COUNTS_BLOCK:
            self._succeeded.fromlist(pending)
            pending.clear()
        return True

    def pod_removed(self, t: float, name: str) -> None:
        p = self._pod(name)
        p._removed_at = t
        self._log_id(t, Kind.POD_REMOVED, p.number)
        self._forget(name)

    def eviction_refused(self, t: float, name: str, code: int, budget: str, message: str) -> None:
        """The Eviction API refused to evict the pod (a PodDisruptionBudget)."""
        self._log_id(t, Kind.EVICTION_REFUSED, self._pod_id(name), budget, a=code, text=message)

    # -- nodes ---------------------------------------------------------------------------
    def node_down(self, t: float, node: str) -> None:
        self._log(t, Kind.NODE_DOWN, node)

    def node_up(self, t: float, node: str) -> None:
        self._log(t, Kind.NODE_UP, node)

    def node_not_ready(self, t: float, node: str) -> None:
        self._log(t, Kind.NODE_NOT_READY, node)

    def node_tainted(self, t: float, node: str, taint: str) -> None:
        self._log(t, Kind.NODE_TAINTED, node, taint)

    def node_cordoned(self, t: float, node: str, cordoned: bool) -> None:
        self._log(t, Kind.NODE_CORDONED, node, a=int(cordoned))

    def node_added(
        self, t: float, node: str, pool: str, capacity: dict[str, int] | None = None
    ) -> None:
        self.nodes[node] = NodeRecord(node, pool, t, capacity=capacity)
        self._log(t, Kind.NODE_ADDED, node, pool)

    def node_removed(self, t: float, node: str) -> None:
        rec = self.nodes.get(node)
        if rec is not None:
            rec.removedAt = t
        self._log(t, Kind.NODE_REMOVED, node)


@mypyc_attr(allow_interpreted_subclasses=True)  # users subclass recorders
class JobRecorder(Recorder):
    """Keeps the Jobs' events and rows and the nodes, and no pod or container event: what
    Job-level metrics (makespan, wall times, node-hours) need, at a fraction of the memory."""

    level = "jobs"

    def pod_created(self, t: float, name: str, job: str, index: int | None) -> None:
        self.jobs[job].podsCreated += 1

    def pod_scheduled(self, t: float, name: str, node: str) -> None:
        return None

    def pod_unschedulable(self, t: float, name: str, message: str) -> None:
        return None

    def image_pulled(self, t: float, name: str, image: str, seconds: float) -> None:
        return None

    def container_started(self, t: float, name: str, restarts: int, attempt: int) -> None:
        return None

    def container_exited(self, t: float, name: str, exit_code: int, exited_at: float) -> None:
        return None

    def container_restart_backoff(self, t: float, name: str, delay: float) -> None:
        return None

    def pod_phase(self, t: float, name: str, phase: str) -> None:
        return None

    def pod_deleted(self, t: float, name: str, reason: str, failed_at_once: bool) -> None:
        return None

    def pod_condition(
        self, t: float, name: str, type_: str, status: str, reason: str, message: str
    ) -> None:
        return None

    def pod_counted(
        self, t: float, name: str, as_: str, numbers: dict[str, Any] | None = None
    ) -> None:
        return None

    def pod_removed(self, t: float, name: str) -> None:
        return None


@mypyc_attr(allow_interpreted_subclasses=True)  # users subclass recorders
class NullRecorder(JobRecorder):
    """Keeps nothing but the Jobs' statuses: for benchmarks."""

    level = "none"

    # Recorder._log's own signature: compiled (setup.py), an override may not widen it
    def _log(
        self,
        t: float,
        kind: Kind,
        subject: str,
        ref: str = "",
        a: int = 0,
        b: float = 0.0,
        text: str = "",
        numbers: dict[str, Any] | None = None,
    ) -> None:
        return None

    def eviction_refused(self, t: float, name: str, code: int, budget: str, message: str) -> None:
        return None  # the one pod event a JobRecorder keeps: not even the pod's name here

    def job_submitted(
        self,
        t: float,
        key: str,
        name: str,
        namespace: str,
        spec: dict[str, Any] | None = None,
        requests: dict[str, int] | None = None,
    ) -> None:
        return None

    def job_skipped(self, t: float, key: str, managed_by: str) -> None:
        return None

    def job_owned(self, key: str, cronjob: str) -> None:
        job = self.jobs.get(key)
        if job is not None:
            job.cronJob = cronjob

    def cronjob_created(self, t: float, key: str, name: str, namespace: str, spec: str) -> None:
        return None

    def cronjob_status(
        self, t: float, key: str, status: dict[str, Any], suspended: bool = False
    ) -> None:
        return None

    def job_status(self, t: float, key: str, status: StatusSource) -> None:
        job = self.jobs.get(key)
        if job is None:
            job = self.jobs[key] = JobRecord(key, key, "", t)
        job.source = status

    def job_deleted(self, t: float, key: str, how: str = "") -> None:
        return None

    def pod_created(self, t: float, name: str, job: str, index: int | None) -> None:
        return None


def fmt_seconds(x: float) -> str:
    """Seconds as Go (and so kubectl) writes a duration, to the millisecond: 20 -> "20s",
    1.5 -> "1.5s", 0.5 -> "500ms", 3087.38 -> "51m27.38s", 3723 -> "1h2m3s"; never in
    scientific notation. For people only: data (JSON, CSV) keeps numbers of seconds."""
    return format_duration(round(x, 3))


def _ordinal(n: int) -> str:
    """1 -> "1st", 2 -> "2nd", 11 -> "11th", 23 -> "23rd"."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _because(reason: str, message: str) -> str:
    """`` (reason: message)`` after a condition; releases before JobSuccessPolicy set
    ``Complete`` with neither, which then shows nothing."""
    parts = [p for p in (reason, message) if p]
    return f" ({': '.join(parts)})" if parts else ""


def describe(kind: Kind, subject: str, ref: str, a: int, b: float, text: str) -> str:
    """One event in words, with its rule's numbers."""
    if kind is Kind.JOB_SUBMITTED:
        return f"Job {subject} created"
    if kind is Kind.JOB_SKIPPED:
        return f"Job {subject} is managed by {ref}: the built-in Job controller leaves it alone"
    if kind is Kind.JOB_CONDITION:
        type_, status, reason = ref.split("/")
        return f"Job {subject} condition {type_}={status}{_because(reason, text)}"
    if kind is Kind.JOB_BACKOFF:
        return (
            f"Job {subject} waits {fmt_seconds(b)} before creating pods "
            f"(pod-failure backoff: {a} failure{'s' if a != 1 else ''} since last success)"
        )
    if kind is Kind.JOB_INDEX_BACKOFF:
        return (
            f"Job {subject} waits {fmt_seconds(b)} before recreating index {a} "
            f"(per-index backoff: failure {ref} of that index)"
        )
    if kind is Kind.JOB_SPEC_CHANGED:
        return f"Job {subject} spec changed: {text}"
    if kind is Kind.EVENT_IGNORED:
        return f"{ref or 'Job'} {subject}: outside event had no effect ({text})"
    if kind is Kind.JOB_DELETED:
        return f"Job {subject} deleted" + (f" ({text})" if text else "")
    if kind is Kind.JOB_DELETING:
        return f"Job {subject} is being deleted ({text}): deletionTimestamp set"
    if kind is Kind.POD_CREATED:
        idx = "" if a < 0 else f" for index {a}"
        return f"pod {subject} created by Job {ref}{idx}"
    if kind is Kind.POD_SCHEDULED:
        return f"pod {subject} scheduled to {ref}"
    if kind is Kind.POD_UNSCHEDULABLE:
        return f"pod {subject} unschedulable: {text}"
    if kind is Kind.IMAGE_PULLED:
        return f"pod {subject} pulled image {ref} in {fmt_seconds(b)}"
    if kind is Kind.CONTAINER_STARTED:
        extra = f", restartCount {a}" if a else ""
        if ref.isdigit():  # Indexed: the attempt counts the starts of this index's work
            n = int(b)
            what = f"index {ref}, attempt {n}: its {_ordinal(n + 1)} try"
        else:  # NonIndexed: parallel pods share one count, so a number is no retry count
            what = f"start {int(b) + 1} of the Job's work"
        return f"pod {subject} container started ({what}{extra})"
    if kind is Kind.CONTAINER_EXITED:
        late = f" (at {fmt_seconds(b)}, reported late: node unreachable)" if ref == "late" else ""
        return f"pod {subject} container exited with code {a}{late}"
    if kind is Kind.CONTAINER_RESTART_BACKOFF:
        return f"pod {subject} container restarts in {fmt_seconds(b)} (CrashLoopBackOff)"
    if kind is Kind.POD_PHASE:
        return f"pod {subject} is {ref}"
    if kind is Kind.POD_DELETED:
        return f"pod {subject} deleted ({ref})"
    if kind is Kind.POD_CONDITION:
        type_, status, reason = ref.split("/")
        return f"pod {subject} condition {type_}={status}{_because(reason, text)}"
    if kind is Kind.POD_COUNTED:
        return f"pod {subject} counted as {ref}"
    if kind is Kind.POD_REMOVED:
        return f"pod {subject} removed"
    if kind is Kind.EVICTION_REFUSED:
        return f"eviction of pod {subject} refused ({a}, PodDisruptionBudget {ref}): {text}"
    if kind is Kind.NODE_DOWN:
        return f"node {subject} stops reporting"
    if kind is Kind.NODE_UP:
        return f"node {subject} reports again"
    if kind is Kind.NODE_NOT_READY:
        return f"node {subject} NotReady (Ready=Unknown): no heartbeat within the grace period"
    if kind is Kind.NODE_CORDONED:
        return f"node {subject} {'cordoned (unschedulable)' if a else 'uncordoned'}"
    if kind is Kind.NODE_ADDED:
        return f"node {subject} added to pool {ref}"
    if kind is Kind.NODE_REMOVED:
        return f"node {subject} removed"
    if kind is Kind.CRONJOB_CREATED:
        return f"CronJob {subject} created ({text})"
    if kind is Kind.CRONJOB_EVENT:
        if ref == CRONJOB_UPDATED:
            return f"CronJob {subject} updated: {text}"
        if ref == CRONJOB_MANUAL_JOB:
            return f"CronJob {subject}: {text}"
        return f"CronJob {subject} {'Warning' if a else 'Normal'} {ref}: {text}"
    return f"node {subject} tainted {ref}"


__all__ = [
    "JobRecord",
    "JobRecorder",
    "Kind",
    "NodeRecord",
    "NullRecorder",
    "PodRecord",
    "Recorder",
    "StatusSource",
    "describe",
    "fmt_seconds",
    "frozen",
]
