"""What each control-plane mechanism adds to the makespan of ``scenarios/at-scale.yaml``.

    .venv/bin/python benchmarks/control_plane.py        # or: make control-plane-table

The scenario turns every mechanism on at upstream's defaults. The ideal model is the same file
with every mechanism off (``MECHANISMS``' settings, applied as ``jobsim compare --set`` applies
them); the rows then turn them back on one after the other, down to the file as written. The
"alone" column is the ideal model with that mechanism only. Runs are deterministic, so the
Markdown table this prints is the README's, byte for byte (tests/test_at_scale.py).
A new mechanism is one line of ``MECHANISMS``: its name and the settings that turn it off.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jobsim.api import (  # noqa: E402
    fmt_seconds,
    job_finished_at,
    load_side,
    parse_settings,
    simulate,
)

SCENARIO = ROOT / "scenarios" / "at-scale.yaml"


@dataclass(frozen=True)
class Mechanism:
    """A row: the mechanism's name and the ``PATH=VALUE`` settings that turn it off."""

    name: str
    off: tuple[str, ...]


MECHANISMS: tuple[Mechanism, ...] = (
    Mechanism("API client: QPS 20, burst 30, slow start", ("timing.kubeAPIQPS=0",)),
    Mechanism("API timestamps in whole seconds", ("timing.apiTimestampPrecision=0",)),
    Mechanism("kubelet: serialized image pulls", ("cluster.kubelet=off",)),
    Mechanism("kube-scheduler: queue, 10 ms cycle, binding QPS 50", ("cluster.scheduler=off",)),
    Mechanism("node lifecycle: eviction rate limits", ("cluster.nodeLifecycle=off",)),
    Mechanism("cluster-autoscaler: 10 s loop, binpacking", ("cluster.autoscaler=off",)),
    Mechanism("PodDisruptionBudget", ("podDisruptionBudgets=[]",)),
)
"""In the order the table turns them on."""


@dataclass(frozen=True)
class Row:
    """One variant: its name, makespan and pods created, and what the mechanism it turns on
    adds to the makespan of the row before (``step``) and of the ideal model alone
    (``alone``); None on the ideal row."""

    name: str
    makespan: float
    pods: int
    step: float | None
    alone: float | None


def run(path: Path, off: Sequence[str]) -> tuple[float, int]:
    """``path`` with the mechanisms ``off`` turned off: its makespan (the first submission to
    the last Job's finish) and the pods its Jobs created."""
    side = load_side("variant", path, parse_settings(off, "--set"))
    jobs = simulate(side.scenario).jobs()
    ends = [job_finished_at(j["status"]) for j in jobs]
    if any(end is None for end in ends):
        raise SystemExit(f"{path}: a Job did not finish with {', '.join(off) or 'nothing off'}")
    first = min(j["submittedAt"] for j in jobs)
    return max(e for e in ends if e is not None) - first, sum(j["podsCreated"] for j in jobs)


def rows(path: Path = SCENARIO, mechanisms: Sequence[Mechanism] = MECHANISMS) -> list[Row]:
    """The ideal model, then each mechanism turned on in turn (the last row: all on)."""
    every = [s for m in mechanisms for s in m.off]
    ideal, pods = run(path, every)
    out = [Row("ideal model (every mechanism off)", ideal, pods, None, None)]
    before = ideal
    for k, m in enumerate(mechanisms):
        now, pods = run(path, [s for later in mechanisms[k + 1 :] for s in later.off])
        alone, _ = run(path, [s for other in mechanisms if other is not m for s in other.off])
        out.append(Row(f"+ {m.name}", now, pods, now - before, alone - ideal))
        before = now
    return out


def _delta(seconds: float | None) -> str:
    if seconds is None:
        return ""
    return ("+" if seconds >= 0 else "−") + fmt_seconds(abs(seconds))


def table(rows: Sequence[Row]) -> str:
    """The Markdown table of ``rows`` (the README's)."""
    lines = [
        "| control plane | makespan | added by this row | this mechanism alone | pods created |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r.name} | {fmt_seconds(r.makespan)} | {_delta(r.step)} | {_delta(r.alone)} "
            f"| {r.pods:,} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    """Print the table."""
    sys.stdout.write(table(rows()))


if __name__ == "__main__":
    main()
