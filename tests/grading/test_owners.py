"""Lease owners name their process, so a dead one is recognised on its machine (audit L2)."""

from __future__ import annotations

import dataclasses
import subprocess
import time

import pytest

from verdict.grading import owners


def _owner_of(identity: owners.ProcessIdentity) -> str:
    return owners.lease_owner(owners.engine_name(identity), 12345)


@pytest.mark.integration
def test_a_killed_process_is_dead_a_running_one_is_not() -> None:
    here = owners.ProcessIdentity.current()
    assert not owners.owner_is_dead(_owner_of(here), here)
    child = subprocess.Popen(["sleep", "60"])
    start = owners.process_start_time(child.pid)
    assert start is not None
    theirs = _owner_of(dataclasses.replace(here, pid=child.pid, start_time=start))
    assert not owners.owner_is_dead(theirs, here)
    child.kill()
    deadline = time.monotonic() + 5  # the signal is delivered asynchronously
    while not owners.owner_is_dead(theirs, here) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert owners.owner_is_dead(theirs, here)  # killed, even before it is reaped (a zombie)
    child.wait()
    assert owners.owner_is_dead(theirs, here)


@pytest.mark.unit
def test_a_reused_pid_is_not_the_owner() -> None:
    here = owners.ProcessIdentity.current()
    assert owners.owner_is_dead(_owner_of(dataclasses.replace(here, start_time=here.start_time + 1)), here)


@pytest.mark.unit
def test_owners_elsewhere_or_unknown_are_never_judged_dead() -> None:
    here = owners.ProcessIdentity.current()
    for other in (
        dataclasses.replace(here, host="elsewhere", pid=999999),
        dataclasses.replace(here, boot_id="another-boot", pid=999999),
        dataclasses.replace(here, pid_namespace=here.pid_namespace + 1, pid=999999),
    ):
        assert not owners.owner_is_dead(_owner_of(other), here)
    assert not owners.owner_is_dead("w", here) and not owners.owner_is_dead("a|b|c|d|e", here)
    assert len(_owner_of(here)) < 200  # fits the lease_owner column
