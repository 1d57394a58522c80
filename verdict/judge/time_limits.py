"""Time limits measured once, when a package is imported, and applied per language afterwards.

Jutge gives a submission ``reference time × time_factor + time_constant`` seconds, where the
reference is the bundled solution that matches the submission's language best and the factor and
constant depend on the language's *time class* (the Jutge toolkit's ``problem-anatomy.md``):

* fast: Ada, C, C++, D, Fortran, Go, Haskell, Pascal (and Rust here);
* medium: FreeBASIC, C#, Java, Guile (and Kotlin here);
* slow: Brainf*ck, Erlang, JavaScript, CLISP, Lua, PHP, Perl, Python, R, Ruby, Whitespace.

Every :class:`~verdict.judge.languages.Language` names its class (``time_class``). ``time_factor``
and ``time_constant`` in handler.yml are a number or a list ``[fast, medium, slow]``; a missing
medium value is fast × 5 and a missing slow one medium × 2; without the keys every class gets 2 and
0.1 s. The reference is chosen as Jutge's driver does: the solution with the submission's own file
extension, else for a fast language the C++ solution, else for a fast or medium one the Java
solution, else the C++, the Java, the Python solution, else the golden one.

Kattis problems have one class: ``time_multiplier`` × the slowest accepted submission (plus the
safety constant), or the limit problem.yaml gives.

The measured times are stored with the problem version (:meth:`Timing.to_dict`), so that grading
never runs the references again and every worker applies the same limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath

TIME_CLASSES = ("fast", "medium", "slow")
DEFAULT_FACTOR = 2.0
DEFAULT_CONSTANT = 0.1
MIN_LIMIT = 0.5  # seconds: a fast reference (~0.01 s) would otherwise give a limit a busy host misses
MEDIUM_OVER_FAST = 5.0
SLOW_OVER_MEDIUM = 2.0

_CPP_EXTENSIONS = ("cc", "cpp", "cxx")


@dataclass(frozen=True)
class ClassFactors:
    """``time_factor`` and ``time_constant`` of one time class."""

    factor: float
    constant: float


def class_factors(factors: list[float] | None, constants: list[float] | None) -> dict[str, ClassFactors]:
    """The factor and constant of each class from handler.yml's lists (None: the key is absent)."""
    full_factors = _three(factors, DEFAULT_FACTOR)
    full_constants = _three(constants, DEFAULT_CONSTANT)
    return {
        name: ClassFactors(full_factors[index], full_constants[index])
        for index, name in enumerate(TIME_CLASSES)
    }


def _three(values: list[float] | None, default: float) -> list[float]:
    if not values:
        return [default] * 3
    fast = values[0]
    medium = values[1] if len(values) > 1 else fast * MEDIUM_OVER_FAST
    slow = values[2] if len(values) > 2 else medium * SLOW_OVER_MEDIUM
    return [fast, medium, slow]


@dataclass(frozen=True)
class Reference:
    """A bundled solution that was accepted at import, with its slowest test's CPU time."""

    file: str  # path in the package, e.g. "solution.py"
    language: str  # compiler id it was graded with
    seconds: float


@dataclass
class Timing:
    """What the limits of a problem version are made of: fixed, or measured references."""

    fixed: float | None = None  # the package gives the limit (Kattis limits.time_limit)
    references: list[Reference] = field(default_factory=list)  # the golden solution first
    classes: dict[str, ClassFactors] = field(default_factory=lambda: class_factors(None, None))
    minimum: float = MIN_LIMIT

    def limit_for(self, extension: str, time_class: str) -> float:
        """The CPU seconds a submission gets, from its file extension and its language's class."""
        if self.fixed is not None:
            return self.fixed
        if not self.references:
            raise ValueError("no reference solution was measured")
        reference = self.reference_for(extension, time_class)
        factors = self.classes.get(time_class) or self.classes["fast"]
        return round(max(reference.seconds * factors.factor + factors.constant, self.minimum), 2)

    def reference_for(self, extension: str, time_class: str = "slow") -> Reference:
        """Jutge's choice of the solution to measure a submission against: the one in its own
        language, else by its language's time class (fast: C++ then Java; medium: Java), else
        the C++, the Java, the Python solution, the golden one."""
        by_extension = {PurePosixPath(r.file).suffix.lstrip("."): r for r in reversed(self.references)}
        extension = extension.lstrip(".")
        if extension in by_extension:
            return by_extension[extension]
        cpp = next((by_extension[e] for e in _CPP_EXTENSIONS if e in by_extension), None)
        java = by_extension.get("java")
        if time_class == "fast" and cpp is not None:
            return cpp
        if time_class in ("fast", "medium") and java is not None:
            return java
        return cpp or java or by_extension.get("py") or self.references[0]

    def summary(self) -> dict[str, float]:
        """The limit of each class against the golden solution (what an import report shows)."""
        if self.fixed is not None:
            return {name: self.fixed for name in TIME_CLASSES}
        golden = PurePosixPath(self.references[0].file).suffix if self.references else ""
        return {name: self.limit_for(golden, name) for name in TIME_CLASSES} if self.references else {}

    def to_dict(self) -> dict[str, object]:
        return {
            "fixed": self.fixed,
            "minimum": self.minimum,
            "references": [
                {"file": r.file, "language": r.language, "seconds": r.seconds} for r in self.references
            ],
            "classes": {
                name: {"factor": f.factor, "constant": f.constant} for name, f in self.classes.items()
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Timing:
        """The stored form back (as written by :meth:`to_dict`)."""
        references = data.get("references") or []
        classes = data.get("classes") or {}
        fixed = data.get("fixed")
        assert isinstance(references, list) and isinstance(classes, dict)
        return cls(
            fixed=float(fixed) if isinstance(fixed, int | float) else None,
            references=[
                Reference(str(r["file"]), str(r["language"]), float(r["seconds"])) for r in references
            ],
            classes={
                str(name): ClassFactors(float(v["factor"]), float(v["constant"]))
                for name, v in classes.items()
            },
            minimum=float(data.get("minimum", MIN_LIMIT)),  # type: ignore[arg-type]
        )
