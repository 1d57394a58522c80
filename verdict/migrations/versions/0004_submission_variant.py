"""Submissions remember the statement language they were made to: submissions.variant (issue 12).

A Jutge package with one folder per language has different tests per language (P12345_ca,
P12345_en); a submission is graded with the tests of the variant it was made to. Existing
submissions had no such choice: NULL, the problem's original language.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("variant", sa.String(length=10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_column("variant")
