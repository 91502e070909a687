"""The upstream-cases runner: every case of a file, a verdict each.

The file format (``upstream-controller-cases/v1``, documented beside the case file) records
upstream's Job-controller unit-test cases as data: ``harness`` says how each test function
builds its Job and pods and gives the default of every expectation a case leaves out;
``cases`` lists the cases. A case is

- a **sync case** (it has a ``job``): one ``syncJob`` from its snapshot through
  ``jobsim.parity.sync_once``, compared with ``expect``;
- a **helper case** of a test that ``helper_cases.HELPERS`` knows: its ``jobsim.policy``
  function;
- anything else: ``UNSUPPORTED``, with the reason.

A case runs with the Job feature gates of its ``emulationVersion`` and the ``gates`` it sets
(``jobsim.k8s.features``; without an ``emulationVersion``, the newest release that lets it set
them: ``sync_cases.case_gates``); a gate no release lets it set is refused, as the API server
refuses it. It is UNSUPPORTED, with every reason that applies, when
it injects API errors, pre-sets informer expectations, syncs a Job being deleted, or uses keys
nothing jobsim shows. Helper cases whose upstream function reads a gate get the gates
(``helper_cases.GATED_HELPERS``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from jobsim.k8s.features import DEFAULT_GATES
from jobsim.parity.helper_cases import GATED_HELPERS, HELPERS, NOT_MODELLED
from jobsim.parity.snapshot import SnapshotError
from jobsim.parity.step_cases import STEPS
from jobsim.parity.sync_cases import (
    case_gates,
    run_sync_case,
    unsupported_reasons,
)
from jobsim.parity.values import CaseInputError, CaseUnsupported

__all__ = [
    "FORMAT",
    "CaseFileError",
    "Verdict",
    "load_cases",
    "run_case",
    "run_cases",
    "verdict_counts",
]

FORMAT = "upstream-controller-cases/v1"

Outcome = Literal["PASS", "FAIL", "UNSUPPORTED"]


class CaseFileError(ValueError):
    """A file that is not of the upstream-cases format."""


@dataclass(frozen=True)
class Verdict:
    """One case's verdict: PASS, FAIL with the differing fields, UNSUPPORTED with reasons."""

    test: str
    name: str
    outcome: Outcome
    details: tuple[str, ...] = ()

    def line(self) -> str:
        """``PASS test / name``, ``FAIL test / name: a; b``, ``UNSUPPORTED …: reason``."""
        head = f"{self.outcome} {self.test} / {self.name}"
        return f"{head}: {'; '.join(self.details)}" if self.details else head

    def to_dict(self) -> dict[str, Any]:
        """The verdict as JSON data."""
        return {
            "test": self.test,
            "name": self.name,
            "verdict": self.outcome,
            "details": list(self.details),
        }


def load_cases(path: str | Path) -> dict[str, Any]:
    """Read a case file; ``CaseFileError`` names the file and what is wrong with it."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise CaseFileError(f"{p}: cannot read: {e}") from None
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{p}:{mark.line + 1}:{mark.column + 1}" if mark is not None else str(p)
        raise CaseFileError(f"{where}: not YAML: {getattr(e, 'problem', e)}") from None
    if not isinstance(data, dict):
        raise CaseFileError(f"{p}: expected a mapping with format, harness and cases")
    if data.get("format") != FORMAT:
        raise CaseFileError(f"{p}: format is {data.get('format')!r}, expected {FORMAT!r}")
    if not isinstance(data.get("cases"), list):
        raise CaseFileError(f"{p}: cases: expected a list")
    if not isinstance(data.get("harness", {}), dict):
        raise CaseFileError(f"{p}: harness: expected a mapping")
    return data


def run_case(
    case: Mapping[str, Any], harness: Mapping[str, Any], *, ignore_gates: bool = False
) -> Verdict:
    """The verdict of one case under ``harness``, run with its ``gates`` on its
    ``emulationVersion``; ``ignore_gates`` runs it on the newest release with every gate on
    instead (to see which cases differ only by a gate)."""
    test, name = str(case.get("test", "?")), str(case.get("name", "?"))
    helper = HELPERS.get(test) or STEPS.get(test)
    gated = GATED_HELPERS.get(test)
    if test in NOT_MODELLED:
        return Verdict(test, name, "UNSUPPORTED", (NOT_MODELLED[test],))
    try:
        if gated is not None:
            differences = gated(case, DEFAULT_GATES if ignore_gates else case_gates(case))
        elif helper is not None:
            if not ignore_gates:
                case_gates(case)  # a gate no release lets it set: input not accepted
            differences = helper(case)  # its upstream function reads no Job gate
        elif "job" in case:
            reasons = unsupported_reasons(case)
            if reasons:
                return Verdict(test, name, "UNSUPPORTED", tuple(reasons))
            differences = run_sync_case(case, harness, ignore_gates=ignore_gates)
        else:
            reason = f"no runner for test function {test} (neither a sync case nor a known helper)"
            return Verdict(test, name, "UNSUPPORTED", (reason,))
    except CaseUnsupported as e:
        return Verdict(test, name, "UNSUPPORTED", (str(e),))
    except (CaseInputError, SnapshotError) as e:
        return Verdict(test, name, "FAIL", (f"input not accepted: {e}",))
    except (AttributeError, KeyError, TypeError, ValueError) as e:  # a value of the wrong shape
        detail = f"input not accepted: {type(e).__name__}: {e}"
        return Verdict(test, name, "FAIL", (detail,))
    if differences:
        return Verdict(test, name, "FAIL", tuple(differences))
    return Verdict(test, name, "PASS")


def run_cases(data: Mapping[str, Any], *, ignore_gates: bool = False) -> list[Verdict]:
    """Every case of a loaded file, in order (``ignore_gates``: see ``run_case``)."""
    harness = data.get("harness") or {}
    verdicts = []
    for i, case in enumerate(data.get("cases") or []):
        if not isinstance(case, Mapping):
            verdicts.append(Verdict("?", f"cases[{i}]", "FAIL", ("not a mapping",)))
            continue
        verdicts.append(run_case(case, harness, ignore_gates=ignore_gates))
    return verdicts


def verdict_counts(verdicts: Iterable[Verdict]) -> str:
    """``N passed, M failed, K unsupported``."""
    vs = list(verdicts)
    n = {o: sum(1 for v in vs if v.outcome == o) for o in ("PASS", "FAIL", "UNSUPPORTED")}
    return f"{n['PASS']} passed, {n['FAIL']} failed, {n['UNSUPPORTED']} unsupported"
