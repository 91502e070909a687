"""Optional compilation of the simulation core with mypyc.

Everything else about the package is in ``pyproject.toml``. Without ``JOBSIM_MYPYC=1`` (the
default, and what ``make`` installs for development) jobsim is pure Python. With it, the modules
of ``COMPILED`` become C extensions beside their sources, about 1.6 times as fast and giving
byte-identical results (``make test-compiled``); and ``jobsim/sim/_draws.c`` (a run's draws by
numpy's own functions, linked from its ``npyrandom`` library) takes the place of
``_draws.py``. mypyc type-checks them against jobsim's dependencies, so it builds in an
environment that has them, mypy and a C compiler::

    pip install '.[compile]'   # the dependencies (and a pure jobsim), mypy and stubs
    JOBSIM_MYPYC=1 pip install --no-build-isolation --force-reinstall --no-deps .
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from setuptools import Extension, setup

ROOT = Path(__file__).resolve().parent

# The per-pod path: the kernel, controller, scheduler, kubelets and nodes, the policies they
# call and the recorder. The scenario and k8s layers stay interpreted (pydantic models, read
# once per run). jobsim/sim/_draws.py is the pure-Python version of _draws.c (built below).
COMPILED = sorted(
    [
        str(p.relative_to(ROOT))
        for p in (ROOT / "jobsim" / "sim").glob("*.py")
        if p.name != "_draws.py"
    ]
    + [str(p.relative_to(ROOT)) for p in (ROOT / "jobsim" / "policy").glob("*.py")]
    + ["jobsim/record.py"]
)


def _ext_modules() -> list[object]:
    if os.environ.get("JOBSIM_MYPYC", "0") != "1":
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        raise SystemExit(
            "JOBSIM_MYPYC=1 needs mypy (with mypyc) and jobsim's dependencies in the build "
            "environment: pip install '.[compile]', then JOBSIM_MYPYC=1 pip install "
            "--no-build-isolation --force-reinstall --no-deps . (setup.py)"
        ) from None

    # one C file per module: about 90 s to build here, against 110 s for a single file
    return [*mypycify(COMPILED, opt_level="3", multi_file=True), _draws()]


def _draws() -> Extension:
    """``jobsim.sim._draws``: a run's three draws in one call, by numpy's own C functions
    (its static ``npyrandom`` library and headers, as numpy's guide to extending it links)."""
    import numpy as np

    lib = Path(np.__file__).parent / "random" / "lib"
    if not any(lib.glob("*npyrandom*")):
        raise SystemExit(
            f"JOBSIM_MYPYC=1 links numpy's npyrandom library, which this numpy {np.__version__} "
            f"does not have in {lib} (numpy's wheels ship it): setup.py"
        )
    return Extension(
        "jobsim.sim._draws",
        ["jobsim/sim/_draws.c"],
        include_dirs=[np.get_include()],
        library_dirs=[str(lib)],
        libraries=["npyrandom"] + ([] if sys.platform == "win32" else ["m"]),
        # the module refuses to load beside another numpy (its streams may differ)
        define_macros=[("JOBSIM_NUMPY_VERSION", f'"{np.__version__}"')],
    )


setup(ext_modules=_ext_modules())
