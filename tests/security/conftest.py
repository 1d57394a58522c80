"""The security tests' live server: ``verdict demo`` then ``verdict serve`` in a process of its
own (tests.support.live_server), one per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.live_server import LiveServer, live_server


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A live server shared by the tests of one module (a test that needs a fresh one starts its
    own with ``live_server``)."""
    with live_server(tmp_path_factory.mktemp(request.module.__name__.rpartition(".")[2])) as running:
        yield running
