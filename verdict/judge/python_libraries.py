"""The Python libraries Jutge's students import, visible to the sandboxed Python programs.

Jutge's Python problems read their input with ``yogi`` (``from yogi import read``) or the older
``easyinput``, and its graphic problems draw with ``turtle_pil`` over ``PIL``. The sandbox runs
the system's /usr/bin/python3 without our virtualenv, so each library's own installed
directories (found through ``importlib.metadata``, wherever this process's environment put
them) are bound read-only under :data:`TARGET`, and ``PYTHONPATH`` names that directory
(honoured under ``python3 -S``, which only skips ``site``).

What a distribution brings is every top-level entry of its installed files except its metadata:
pillow's ``PIL`` and the ``pillow.libs`` its extension modules load through their RPATH
``$ORIGIN/../pillow.libs`` (so the two must stay siblings), ``future``'s ``past`` and
``libfuturize`` beside ``future`` (easyinput imports ``future.builtins``). ``enum34``, which
easyinput also requires, is left out on purpose: on Python 3 its ``enum`` would shadow the
standard library's. pillow's compiled modules match the virtualenv's Python (3.11 here, the
same minor version as /usr/bin/python3); a distribution that is not installed is simply absent.
"""

from __future__ import annotations

import functools
import importlib.metadata
from pathlib import Path

from verdict.judge.bwrap import Mount

TARGET = "/opt/python"
# pytokr is on Jutge's Python image too (jutge-dockerfiles' Dockerfile.python): bound once installed.
DISTRIBUTIONS = ("yogi", "easyinput", "future", "turtle-pil", "pillow", "pytokr")


def _top_level_paths(distribution: importlib.metadata.Distribution) -> list[Path]:
    """The installed top-level directories and modules of a distribution, metadata and scripts
    (paths outside site-packages, ``../../bin/...``) left out."""
    tops = sorted({Path(str(name)).parts[0] for name in distribution.files or ()})
    paths = [
        Path(str(distribution.locate_file(top)))
        for top in tops
        if top != ".." and not top.endswith((".dist-info", ".egg-info")) and top != "__pycache__"
    ]
    return [path for path in paths if path.exists()]


@functools.cache
def library_mounts() -> tuple[Mount, ...]:
    """Read-only mounts of every installed library of DISTRIBUTIONS under TARGET."""
    mounts: list[Mount] = []
    for name in DISTRIBUTIONS:
        try:
            distribution = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        mounts += [Mount(str(path), f"{TARGET}/{path.name}") for path in _top_level_paths(distribution)]
    return tuple(mounts)


def library_env() -> tuple[tuple[str, str], ...]:
    """The environment that makes the mounted libraries importable."""
    return (("PYTHONPATH", TARGET),)
