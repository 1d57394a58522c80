"""INGInious course descriptors (issue 14, item 4 and 5): the registration window
(courses.registration_opens_at / registration_closes_at), the table of contents' sections
(courses.sections), group tasks (tasks.group_submission), the course's groups (course_groups,
course_group_students) and the students a group submission is for (submission_students).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("registration_opens_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("registration_closes_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("sections", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("group_submission", sa.Boolean(), nullable=False, server_default=sa.false())
        )

    op.create_table(
        "course_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("tutors", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_course_groups_course_id_courses"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_groups")),
    )
    with op.batch_alter_table("course_groups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_course_groups_course_id"), ["course_id"], unique=False)

    op.create_table(
        "course_group_students",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_course_group_students_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["course_groups.id"],
            name=op.f("fk_course_group_students_group_id_course_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_course_group_students_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("group_id", "user_id", name=op.f("pk_course_group_students")),
        sa.UniqueConstraint("course_id", "user_id", name=op.f("uq_course_group_students_course_id_user_id")),
    )

    op.create_table(
        "submission_students",
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_submission_students_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_submission_students_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("submission_id", "user_id", name=op.f("pk_submission_students")),
    )
    with op.batch_alter_table("submission_students", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_submission_students_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("submission_students", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submission_students_user_id"))
    op.drop_table("submission_students")
    op.drop_table("course_group_students")
    with op.batch_alter_table("course_groups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_course_groups_course_id"))
    op.drop_table("course_groups")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_column("group_submission")
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.drop_column("sections")
        batch_op.drop_column("registration_closes_at")
        batch_op.drop_column("registration_opens_at")
