"""Exam mode (issue 15): exams.slug, hashed and sealed exam codes, freeze; per-student extra
time, early close and entry.

``exams.password`` and ``exam_students.password`` now hold the code sealed with a key derived
from the server's secret key (staff read it back); the *_hash columns check it. Codes stored
before this revision were plain text: they are cleared, and the next ``GET .../passwords``
makes new ones (no exam could be entered before this revision).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("exams", schema=None) as batch_op:
        batch_op.add_column(sa.Column("slug", sa.String(length=150), nullable=True))
        batch_op.add_column(sa.Column("password_hash", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("freeze_minutes", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("unfrozen_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column("password", existing_type=sa.String(length=100), type_=sa.String(length=200))
        batch_op.create_unique_constraint(batch_op.f("uq_exams_slug"), ["slug"])
    with op.batch_alter_table("exam_students", schema=None) as batch_op:
        batch_op.add_column(sa.Column("password_hash", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("extra_minutes", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("entered_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column("password", existing_type=sa.String(length=100), type_=sa.String(length=200))
    op.execute("UPDATE exams SET password = NULL")
    op.execute("UPDATE exam_students SET password = NULL")


def downgrade() -> None:
    with op.batch_alter_table("exam_students", schema=None) as batch_op:
        batch_op.alter_column("password", existing_type=sa.String(length=200), type_=sa.String(length=100))
        batch_op.drop_column("entered_at")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("extra_minutes")
        batch_op.drop_column("password_hash")
    with op.batch_alter_table("exams", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_exams_slug"), type_="unique")
        batch_op.alter_column("password", existing_type=sa.String(length=200), type_=sa.String(length=100))
        batch_op.drop_column("unfrozen_at")
        batch_op.drop_column("freeze_minutes")
        batch_op.drop_column("slug")
        batch_op.drop_column("password_hash")
