"""Honest ``__all__``: every module states its surface, and the surface is what it defines."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path
from types import ModuleType

import pytest

import jobsim
import jobsim.api


def _modules() -> list[str]:
    names = ["jobsim"]
    for info in pkgutil.walk_packages(jobsim.__path__, "jobsim."):
        names.append(info.name)
    return sorted(names)


def _defined(module: ModuleType) -> set[str]:
    """Public functions and classes the module's own source defines."""
    assert module.__file__ is not None
    path = Path(module.__file__)  # a compiled module's source lies beside it (setup.py)
    with open(path.parent / f"{path.name.split('.')[0]}.py", encoding="utf-8") as f:
        tree = ast.parse(f.read())
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.name.startswith("_")
    }


@pytest.mark.parametrize("name", _modules())
def test_all_is_the_modules_surface(name: str) -> None:
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    assert len(exported) == len(set(exported)), f"{name}: a name twice in __all__"
    missing = [n for n in exported if not hasattr(module, n)]
    assert not missing, f"{name}.__all__ names what it lacks: {missing}"
    if name not in ("jobsim", "jobsim.api", "jobsim.cli"):  # re-exports and typer commands
        unlisted = _defined(module) - set(exported)
        assert not unlisted, f"{name} defines public {sorted(unlisted)} outside __all__"


def test_the_package_root_is_the_everyday_part_of_the_api() -> None:
    assert set(jobsim.__all__) <= set(jobsim.api.__all__)
    for name in jobsim.__all__:
        assert getattr(jobsim, name) is getattr(jobsim.api, name)
