"""The pytest plugin that keeps every test in exactly one of the three kinds (registered in
pyproject.toml, loaded by tests/conftest.py):

- ``unit``: pure logic: no database, no sandbox, no subprocess, no network;
- ``integration``: a real database and/or the real sandbox or subprocesses, but no HTTP app;
- ``e2e``: through the HTTP app (TestClient, a live server, curl) or the CLI as a subprocess.

A test module says ``pytestmark = pytest.mark.unit`` (or another), or, where it mixes kinds, each
test carries its own. A test with none, or with two different ones, fails the collection.
"""

from __future__ import annotations

import pytest

KINDS = ("unit", "integration", "e2e")


def kinds_of(item: pytest.Item) -> list[str]:
    return sorted({marker.name for marker in item.iter_markers() if marker.name in KINDS})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    wrong = [(item.nodeid, kinds) for item in items if len(kinds := kinds_of(item)) != 1]
    if wrong:
        raise pytest.UsageError(
            "every test needs exactly one of the markers unit, integration, e2e "
            "(see tests/support/markers.py):\n  "
            + "\n  ".join(f"{nodeid}: {', '.join(kinds) or 'none'}" for nodeid, kinds in wrong)
        )
