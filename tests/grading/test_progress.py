"""The grading's progress publisher: throttled (the first text at once, then the latest one per
interval), off the grading's thread, never failing the grading; and the texts it stores."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from verdict.grading.progress import ProgressPublisher, Throttle
from verdict.judge.grader import TestResult
from verdict.judge.verdicts import Verdict
from verdict.submissions.progress import COMPILING, Progress, parse, running_test

pytestmark = pytest.mark.unit
WAIT = 5.0  # seconds a publisher's thread may take to write, at most, on a loaded machine


class ManualClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Recorder:
    """A write that records its texts and lets a test wait for the n-th."""

    def __init__(self, fail_first: int = 0) -> None:
        self.texts: list[str] = []
        self.fail_first = fail_first
        self._written = threading.Condition()

    def __call__(self, text: str) -> None:
        with self._written:
            self.texts.append(text)
            self._written.notify_all()
        if len(self.texts) <= self.fail_first:
            raise RuntimeError("database is locked")

    def wait_for(self, count: int) -> list[str]:
        with self._written:
            assert self._written.wait_for(lambda: len(self.texts) >= count, WAIT), self.texts
            return list(self.texts)


def test_the_throttle_lets_the_first_write_through_then_one_per_interval() -> None:
    throttle = Throttle(0.25)
    assert throttle.wait(10.0) == 0.0  # the first: at once
    throttle.wrote(10.0)
    assert throttle.wait(10.1) == pytest.approx(0.15)
    assert throttle.wait(10.25) == 0.0 and throttle.wait(11.0) == 0.0
    throttle.wrote(11.0)
    assert throttle.wait(11.0) == pytest.approx(0.25)


def test_texts_within_the_interval_are_replaced_and_the_latest_written_once_it_is_over() -> None:
    clock, write = ManualClock(), Recorder()
    publisher = ProgressPublisher(write, interval=0.05, clock=clock)
    publisher.publish("a")
    assert write.wait_for(1) == ["a"]  # the first at once
    for text in ("b", "c", "d"):  # within the interval (the clock stands still): not written
        publisher.publish(text)
    time.sleep(0.15)  # three intervals of real time: still not, by the clock
    assert write.texts == ["a"]
    clock.now += 0.05
    assert write.wait_for(2) == ["a", "d"]  # the latest, not lost
    publisher.close()
    assert write.texts == ["a", "d"]


def test_a_text_not_written_yet_is_dropped_on_close_and_nothing_after() -> None:
    clock, write = ManualClock(), Recorder()
    publisher = ProgressPublisher(write, interval=10, clock=clock)
    publisher.publish(COMPILING)
    write.wait_for(1)
    publisher.publish(running_test(1, 3))
    started = time.monotonic()
    publisher.close()  # its thread ends without waiting out the interval
    assert time.monotonic() - started < 1
    clock.now += 100
    publisher.publish(running_test(2, 3))
    time.sleep(0.05)
    assert write.texts == [COMPILING]


def test_a_failed_write_is_logged_and_the_grading_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    clock, write = ManualClock(), Recorder(fail_first=1)
    publisher = ProgressPublisher(write, interval=0.01, clock=clock)
    with caplog.at_level(logging.WARNING, logger="verdict.grading.progress"):
        publisher.publish("a")  # raises in the publisher's thread, not here
        write.wait_for(1)
        clock.now += 1
        publisher.publish("b")
        assert write.wait_for(2) == ["a", "b"]
        publisher.close()
    assert "could not record the grading's progress 'a'" in caplog.text


def test_the_judges_hooks_say_which_test_runs_counts_only() -> None:
    clock, write = ManualClock(), Recorder()
    publisher = ProgressPublisher(write, interval=0.01, clock=clock)
    result = TestResult("secret/huge-numbers", "secret", "", Verdict.AC)
    hooks = [
        publisher.compiling,
        lambda: publisher.tests_start(3),
        lambda: publisher.test_done(result, 0, 3),  # test 1 finished: test 2 runs
        lambda: publisher.test_done(result, 1, 3),
    ]
    for count, hook in enumerate(hooks, 1):
        clock.now += 1  # past the interval: each text is written
        hook()
        write.wait_for(count)
    clock.now += 1
    publisher.test_done(result, 2, 3)  # the last one: nothing more to say (the outcome follows)
    time.sleep(0.1)
    publisher.close()
    assert write.texts == ["compiling", "test 1/3", "test 2/3", "test 3/3"]
    assert not any("secret" in text for text in write.texts)


def test_a_publisher_that_publishes_nothing_starts_no_thread() -> None:
    before = threading.active_count()
    publisher = ProgressPublisher(Recorder())
    publisher.tests_start(0)  # a package without tests: nothing to count
    assert threading.active_count() == before
    publisher.close()


def test_stored_texts_parse_back_and_unknown_ones_are_ignored() -> None:
    assert parse(COMPILING) == Progress() and Progress().compiling
    assert parse(running_test(3, 10)) == Progress(3, 10) and not Progress(3, 10).compiling
    for text in (None, "", "test 0/3", "test 4/3", "test 1/", "testing", "test 1/3 secret/1"):
        assert parse(text) is None, text
