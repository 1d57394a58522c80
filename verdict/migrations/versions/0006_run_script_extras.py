"""What an INGInious run script sets besides its feedback (issue 14): submissions.custom,
submissions.tags, submissions.state.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("custom", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("tags", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("state", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_column("state")
        batch_op.drop_column("tags")
        batch_op.drop_column("custom")
