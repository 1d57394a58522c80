"""Course members accept their enrolment: course_members.accepted_at (issue 10, M3).

Memberships that exist already are taken as accepted (they were made under the old rules, and
hiding every current student from their teachers would be a surprise); new enrolments by a
teacher start as invitations.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("course_members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE course_members SET accepted_at = created_at WHERE user_id IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("course_members", schema=None) as batch_op:
        batch_op.drop_column("accepted_at")
