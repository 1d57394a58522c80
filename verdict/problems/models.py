"""Problem tables: problems, their immutable versions, and content-addressed blobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from verdict.db import Base, utcnow


class Blob(Base):
    """Bytes stored under their sha256 (hex). Identical content is stored once."""

    __tablename__ = "blobs"

    hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    size: Mapped[int] = mapped_column(sa.BigInteger)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)  # loaded only when asked
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Problem(Base):
    """A problem of the platform (not to be confused with ``verdict.judge.problem.Problem``, the
    loaded package). Its content is the package of ``current_version``; older versions stay for
    the submissions graded against them."""

    __tablename__ = "problems"

    id: Mapped[str] = mapped_column(sa.String(20), primary_key=True)  # "P12345"
    owner_id: Mapped[int | None] = mapped_column(  # None: the platform's own catalogue
        sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    package_id: Mapped[str] = mapped_column(sa.String(200))  # the package's own id (dir name)
    format: Mapped[str] = mapped_column(sa.String(20))  # "kattis" | "jutge" | ...
    titles: Mapped[dict[str, Any]] = mapped_column(default=dict)  # language -> title
    languages: Mapped[list[Any]] = mapped_column(default=list)  # languages offered, e.g. ["ca", "en"]
    source_path: Mapped[str | None] = mapped_column(sa.String(1000))  # re-read by Jutge /update
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))  # Jutge problem password
    # use_alter: problems and problem_versions reference each other.
    current_version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("problem_versions.id", ondelete="SET NULL", use_alter=True)
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    current_version: Mapped[ProblemVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )
    versions: Mapped[list[ProblemVersion]] = relationship(
        back_populates="problem",
        foreign_keys="ProblemVersion.problem_id",
        order_by="ProblemVersion.id",
        passive_deletes=True,
    )

    def title(self, language: str | None = None) -> str:
        """The title in ``language``, else in any language, else the package id."""
        if language and language in self.titles:
            return str(self.titles[language])
        return str(next(iter(self.titles.values()), self.package_id))


class ProblemVersion(Base):
    """One imported package, immutable. ``meta`` summarises it (type, tests, size, source)."""

    __tablename__ = "problem_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[str] = mapped_column(sa.ForeignKey("problems.id", ondelete="CASCADE"), index=True)
    blob_hash: Mapped[str] = mapped_column(sa.ForeignKey("blobs.hash", ondelete="RESTRICT"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)

    problem: Mapped[Problem] = relationship(back_populates="versions", foreign_keys=[problem_id])
    blob: Mapped[Blob] = relationship()
