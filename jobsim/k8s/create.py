"""What the API server does to a Job manifest on create, before defaulting and validation.

- A ``metadata.resourceVersion`` is refused: the storage's ``Create`` returns
  ``storage.ErrResourceVersionSetOnCreate`` ("resourceVersion should not be set on objects to
  be created", apiserver ``pkg/storage/errors.go``; checked in ``etcd3/store.go`` ``Create``)
  when the version parses as a non-zero number (``APIObjectVersioner.ObjectResourceVersion``:
  ``""``, ``"0"`` and a version that does not parse pass, and are dropped). The storage is
  reached only after ``rest.BeforeCreate`` has validated the object (``registry/store.go``
  ``Store.Create``), so the refusal is the caller's to give once validation passes: it is
  returned in ``refused``, with the manifest otherwise admitted.
- The fields the server sets itself are ignored: ``uid`` and ``creationTimestamp``
  (``rest.FillObjectMetaSystemFields``), ``deletionTimestamp`` and
  ``deletionGracePeriodSeconds`` (``rest.BeforeCreate``), ``generation`` and ``status``
  (``pkg/registry/batch/job/strategy.go`` ``PrepareForCreate``), ``managedFields`` (the field
  manager writes its own), ``selfLink`` (no longer set since v1.20).
- A name is generated from ``metadata.generateName`` when ``metadata.name`` is empty
  (``rest.BeforeCreate``, ``names.SimpleNameGenerator``): the prefix cut to 58 characters
  plus 5 random characters of apimachinery's ``util/rand`` alphabet. jobsim draws them from the
  scenario's seed, so the same scenario gives the same names.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
"""k8s.io/apimachinery/pkg/util/rand ``alphanums``: no vowels, no confusable characters."""

MAX_NAME_LENGTH = 63
RANDOM_LENGTH = 5
MAX_GENERATED_NAME_LENGTH = MAX_NAME_LENGTH - RANDOM_LENGTH
"""``names.MaxGeneratedNameLength``: a ``generateName`` longer than this is cut."""

RESOURCE_VERSION_SET_ON_CREATE = "resourceVersion should not be set on objects to be created"
"""``storage.ErrResourceVersionSetOnCreate``, word for word."""

IGNORED_METADATA = (
    "uid",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "generation",
    "managedFields",
    "selfLink",
)
"""The ``metadata`` fields the server sets on create, whatever the manifest says."""


def generate_name(base: str, seed: int, attempt: int) -> str:
    """``SimpleNameGenerator.GenerateName(base)``, its random part drawn from ``seed``: the
    ``attempt``-th name jobsim tries for ``base`` (a later attempt after a name in use)."""
    digest = hashlib.sha256(f"{seed}/{base}/{attempt}".encode()).digest()
    n = len(NAME_ALPHABET)
    suffix = "".join(NAME_ALPHABET[b % n] for b in digest[:RANDOM_LENGTH])
    return base[:MAX_GENERATED_NAME_LENGTH] + suffix


@dataclass
class Names:
    """The names generated in one scenario: each new one unused, drawn from ``seed``."""

    seed: int = 0
    used: set[str] = field(default_factory=set)

    def generate(self, base: str) -> str:
        """A name for ``generateName: base`` not given before in this scenario."""
        attempt = 0
        while (name := generate_name(base, self.seed, attempt)) in self.used:
            attempt += 1
        self.used.add(name)
        return name


@dataclass(frozen=True)
class Admitted:
    """A manifest as the server takes it on create: ``data`` with the server-set fields
    removed and its name generated; ``ignored`` names the fields removed (paths);
    ``refused`` is the path and message of the storage's refusal of a manifest that passes
    validation (its ``resourceVersion`` is kept in ``data``), else ``None``."""

    data: dict[str, Any]
    ignored: tuple[str, ...] = ()
    refused: tuple[str, str] | None = None


def _is_text(v: Any) -> bool:
    return v is None or isinstance(v, str)


def sets_version(rv: Any) -> bool:
    """Whether the storage refuses this ``resourceVersion`` (a non-zero uint64 as text)."""
    if not isinstance(rv, str) or not rv.isascii() or not rv.isdigit():
        return False
    return 0 < int(rv) < 1 << 64


def admit_create(data: dict[str, Any], names: Names | None = None) -> Admitted:
    """``data`` (a Job manifest, as read) as the API server takes it on create."""
    meta = data.get("metadata")
    if not isinstance(meta, dict):
        return Admitted(data)
    refused = None
    if sets_version(meta.get("resourceVersion")):
        refused = ("metadata.resourceVersion", RESOURCE_VERSION_SET_ON_CREATE)
    # a uid of the wrong type is the JSON decoder's error, before create: left for it
    drop = [k for k in IGNORED_METADATA if k in meta and (k != "uid" or _is_text(meta[k]))]
    ignored = [f"metadata.{k}" for k in drop]
    new_meta = {k: v for k, v in meta.items() if k not in drop}
    if refused is None:
        new_meta.pop("resourceVersion", None)
    base = meta.get("generateName")
    if not meta.get("name") and isinstance(base, str) and base:
        new_meta["name"] = (names or Names()).generate(base)
    status = isinstance(data.get("status"), dict)  # another type: the decoder's error
    out = {k: v for k, v in data.items() if k != "status" or not status}
    if status:
        ignored.append("status")
    out["metadata"] = new_meta
    return Admitted(out, tuple(ignored), refused)


def ignored_note(ignored: tuple[str, ...]) -> str:
    """The note for fields ignored on create."""
    return f"{', '.join(ignored)}: set by the API server, ignored on create"


__all__ = [
    "IGNORED_METADATA",
    "MAX_GENERATED_NAME_LENGTH",
    "NAME_ALPHABET",
    "RESOURCE_VERSION_SET_ON_CREATE",
    "Admitted",
    "Names",
    "admit_create",
    "generate_name",
    "ignored_note",
    "sets_version",
]
