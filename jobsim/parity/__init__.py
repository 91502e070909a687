"""Checking jobsim against upstream's Job-controller unit tests.

``sync_once`` runs one ``syncJob`` of jobsim's controller from a snapshot (a Job, its status,
its pods, ``now``); ``cases`` runs files of the upstream-cases format (``jobsim parity FILE``).
"""

from jobsim.parity.cases import CaseFileError, Verdict, load_cases, run_cases, verdict_counts
from jobsim.parity.snapshot import CreatedPod, PodSnapshot, SnapshotError, SyncOutcome, sync_once

__all__ = [
    "CaseFileError",
    "CreatedPod",
    "PodSnapshot",
    "SnapshotError",
    "SyncOutcome",
    "Verdict",
    "load_cases",
    "run_cases",
    "sync_once",
    "verdict_counts",
]
