"""Exam codes (verdict.exams.codes): their shape, sealing under the secret key, the check E2's
entry uses, and start times in the server's time zone (verdict.exams.service)."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from verdict.errors import InvalidInput
from verdict.exams import codes
from verdict.exams.models import Exam, ExamStudent, Protection
from verdict.exams.service import format_start, parse_start

pytestmark = pytest.mark.unit

KEY = "test-secret-key-3f9a1c7e5b2d8046aa91"


def test_codes_are_eight_capital_letters_and_differ() -> None:
    made = {codes.new_code() for _ in range(200)}
    assert all(re.fullmatch(r"[A-Z]{8}", code) for code in made)
    assert len(made) == 200


def test_a_sealed_code_opens_with_its_key_only() -> None:
    sealed = codes.seal(KEY, "CLOUCREA")
    assert "CLOUCREA" not in sealed and sealed.startswith("v1.")
    assert codes.unseal(KEY, sealed) == "CLOUCREA"
    assert codes.seal(KEY, "CLOUCREA") != sealed  # a fresh nonce each time
    assert codes.unseal(KEY + "x", sealed) is None  # another secret key
    assert len(sealed) <= 200  # the column


@pytest.mark.parametrize("damaged", [None, "", "CLOUCREA", "v1.", "v1.!!!", "v1.AAAA", "v2.abcd"])
def test_damaged_or_foreign_values_do_not_open(damaged: str | None) -> None:
    assert codes.unseal(KEY, damaged) is None


def test_a_tampered_seal_does_not_open() -> None:
    sealed = codes.seal(KEY, "CLOUCREA")
    flipped = sealed[:-5] + ("A" if sealed[-5] != "A" else "B") + sealed[-4:]
    assert codes.unseal(KEY, flipped) is None


def exam(protection: Protection, code: codes.Code | None = None) -> Exam:
    return Exam(
        protection=protection,
        password=code.sealed if code else None,
        password_hash=code.hashed if code else None,
    )


def test_open_exams_take_any_code() -> None:
    assert codes.code_matches(exam(Protection.OPEN), None, "")
    assert codes.code_matches(exam(Protection.OPEN), ExamStudent(email="a@b"), "whatever")


def test_samecode_checks_the_exams_code() -> None:
    code = codes.make_code(KEY)
    samecode = exam(Protection.SAMECODE, code)
    student = ExamStudent(email="a@b")
    assert codes.code_matches(samecode, student, code.plain)
    assert codes.code_matches(samecode, student, f"  {code.plain.lower()} ")  # case and spaces forgiven
    assert not codes.code_matches(samecode, student, "AAAAAAAA")
    assert not codes.code_matches(samecode, student, "")
    assert not codes.code_matches(exam(Protection.SAMECODE), student, code.plain)  # no hash: never


def test_random_checks_the_students_own_code() -> None:
    mine, theirs = codes.make_code(KEY), codes.make_code(KEY)
    random = exam(Protection.RANDOM)
    me = ExamStudent(email="me@x", password=mine.sealed, password_hash=mine.hashed)
    assert codes.code_matches(random, me, mine.plain)
    assert not codes.code_matches(random, me, theirs.plain)
    assert not codes.code_matches(random, None, mine.plain)  # not a student of the exam
    assert not codes.code_matches(random, ExamStudent(email="x@y"), mine.plain)  # no code yet


def test_codes_hash_fast_enough_for_a_class() -> None:
    """One-time codes use cheaper argon2 parameters: 300 students must not take a minute."""
    began = time.perf_counter()
    for _ in range(20):
        codes.make_code(KEY)
    assert (time.perf_counter() - began) / 20 < 0.05


def test_start_is_read_and_written_in_the_servers_time_zone() -> None:
    madrid = ZoneInfo("Europe/Madrid")
    assert parse_start("2010-06-22 12:00", ZoneInfo("UTC")) == datetime(2010, 6, 22, 12, 0, tzinfo=UTC)
    assert parse_start("2010-06-22 12:00", madrid) == datetime(2010, 6, 22, 10, 0, tzinfo=UTC)  # CEST
    assert parse_start("2010-01-22 12:00", madrid) == datetime(2010, 1, 22, 11, 0, tzinfo=UTC)  # CET
    assert parse_start("2010-06-22T09:05:30", madrid) == datetime(2010, 6, 22, 7, 5, 30, tzinfo=UTC)
    assert format_start(datetime(2010, 6, 22, 10, 0, tzinfo=UTC), madrid) == "2010-06-22 12:00"
    assert format_start(datetime(2010, 6, 22, 10, 0, 7, tzinfo=UTC), madrid) == "2010-06-22 12:00:07"


@pytest.mark.parametrize(
    "text", ["2010-06-22", "tomorrow", "2010-13-01 10:00", "2010-06-22 25:00", "22/06/2010 12:00"]
)
def test_bad_starts_are_refused_naming_the_field(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_start(text, ZoneInfo("UTC"))
    assert refused.value.field == "start"
    assert text in refused.value.message
