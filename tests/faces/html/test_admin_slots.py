"""Counting the sandbox slots in use from the kernel's lock table (``/proc/locks``), as the
administrators' status page does: real lock files held with flock by :class:`SlotPool`."""

from __future__ import annotations

from pathlib import Path

import pytest

from verdict.faces.html.admin_status import slots_in_use
from verdict.judge.slots import SlotPool

pytestmark = pytest.mark.unit


def test_slots_in_use_reads_the_kernel_lock_table(tmp_path: Path) -> None:
    folder = tmp_path / "locks"
    assert slots_in_use(folder, 3) is None
    pool = SlotPool(folder)
    assert slots_in_use(folder, 3) == 0
    first, first_fd = pool.acquire(3)
    second, second_fd = pool.acquire(3)
    assert (first, second) == (0, 1)
    assert slots_in_use(folder, 3) == 2
    pool.release(first_fd)
    assert slots_in_use(folder, 3) == 1
    assert slots_in_use(folder, 1) == 0  # slot 1 is beyond a one-slot setting
    pool.release(second_fd)
    assert slots_in_use(folder, 3) == 0
