"""Time limits per Jutge time class, from measured references (pure arithmetic)."""

from __future__ import annotations

import pytest

from verdict.judge.languages import all_languages
from verdict.judge.time_limits import TIME_CLASSES, ClassFactors, Reference, Timing, class_factors

pytestmark = pytest.mark.unit


def test_without_the_keys_every_class_gets_two_and_a_tenth() -> None:
    assert set(class_factors(None, None).values()) == {ClassFactors(2.0, 0.1)}


@pytest.mark.parametrize(
    ("factors", "constants", "expected"),
    [
        ([2.0], [0.1], {"fast": (2.0, 0.1), "medium": (10.0, 0.5), "slow": (20.0, 1.0)}),
        (
            [2.0, 10.0, 2.0],
            [0.1, 0.01, 0.05],
            {"fast": (2.0, 0.1), "medium": (10.0, 0.01), "slow": (2.0, 0.05)},
        ),
        ([3.0, 4.0], None, {"fast": (3.0, 0.1), "medium": (4.0, 0.1), "slow": (8.0, 0.1)}),
    ],
)
def test_missing_values_are_fast_times_five_then_medium_times_two(
    factors: list[float], constants: list[float] | None, expected: dict[str, tuple[float, float]]
) -> None:
    classes = class_factors(factors, constants)
    assert {name: (f.factor, round(f.constant, 6)) for name, f in classes.items()} == expected


def _timing(*references: Reference, factors: list[float] | None = None) -> Timing:
    return Timing(references=list(references), classes=class_factors(factors, None))


def test_the_reference_is_chosen_as_jutges_driver_does() -> None:
    timing = _timing(
        Reference("solution.cc", "G++17", 0.1),
        Reference("solution.java", "JDK", 0.4),
        Reference("solution.py", "Python3", 0.9),
    )
    assert timing.reference_for(".py").file == "solution.py"  # the same extension
    assert timing.reference_for(".c", "fast").file == "solution.cc"  # a fast language: the C++ one
    assert timing.reference_for(".kt", "medium").file == "solution.java"  # a medium one: the Java one
    assert timing.reference_for(".rb", "slow").file == "solution.cc"  # anything else: C++ first
    only_python = _timing(Reference("solution.py", "Python3", 0.3))
    assert only_python.reference_for(".c", "fast").file == "solution.py"


def test_a_limit_is_the_reference_time_times_the_class_factor_plus_the_constant() -> None:
    timing = _timing(Reference("solution.cc", "G++17", 0.3), factors=[2.0, 3.0, 4.0])
    assert timing.limit_for(".cc", "fast") == round(0.3 * 2 + 0.1, 2)
    assert timing.limit_for(".java", "medium") == round(0.3 * 3 + 0.1, 2)
    assert timing.limit_for(".py", "slow") == round(0.3 * 4 + 0.1, 2)
    assert _timing(Reference("solution.cc", "G++17", 0.001)).limit_for(".cc", "fast") == 0.5  # the floor
    assert Timing(fixed=1.5).limit_for(".py", "slow") == 1.5


def test_a_timing_survives_its_stored_form() -> None:
    timing = _timing(Reference("solution.cc", "G++17", 0.3), Reference("en/solution.py", "Python3", 0.5))
    again = Timing.from_dict(timing.to_dict())
    assert again == timing
    assert again.summary() == timing.summary() and set(again.summary()) == set(TIME_CLASSES)


def test_every_compiler_id_has_a_documented_time_class() -> None:
    classes = {language.id: language.time_class for language in all_languages().values()}
    assert set(classes.values()) <= set(TIME_CLASSES)
    assert classes["G++17"] == "fast" and classes["JDK"] == "medium" and classes["Python3"] == "slow"
