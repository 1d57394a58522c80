"""Game competitions (issue 16, items 4-6): participants frozen at the start, rounds with their
seeds, matches (grading-queue jobs with a lease, their output a blob), each match's seats (score,
points, dead or alive, CPU time); the competition's start, finish and seed.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "competition_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("competition_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("problem_version_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("playing", "done", name="round_status", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["competition_id"],
            ["competitions.id"],
            name=op.f("fk_competition_rounds_competition_id_competitions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["problem_version_id"],
            ["problem_versions.id"],
            name=op.f("fk_competition_rounds_problem_version_id_problem_versions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_competition_rounds")),
        sa.UniqueConstraint(
            "competition_id", "number", name=op.f("uq_competition_rounds_competition_id_number")
        ),
    )
    with op.batch_alter_table("competition_rounds", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_competition_rounds_competition_id"), ["competition_id"], unique=False
        )

    op.create_table(
        "competition_matches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("turn", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "waiting",
                "playing",
                "done",
                "error",
                name="match_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("lease_owner", sa.String(length=200), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("output_hash", sa.String(length=64), nullable=True),
        sa.Column("error_reason", sa.Text(), nullable=False),
        sa.Column("played_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["output_hash"],
            ["blobs.hash"],
            name=op.f("fk_competition_matches_output_hash_blobs"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["competition_rounds.id"],
            name=op.f("fk_competition_matches_round_id_competition_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_competition_matches")),
        sa.UniqueConstraint(
            "round_id", "turn", "position", name=op.f("uq_competition_matches_round_id_turn_position")
        ),
    )
    with op.batch_alter_table("competition_matches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_competition_matches_round_id"), ["round_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_competition_matches_status"), ["status"], unique=False)

    op.create_table(
        "competition_participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("competition_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.Column("player_name", sa.String(length=50), nullable=False),
        sa.Column("eliminated_round", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["competition_id"],
            ["competitions.id"],
            name=op.f("fk_competition_participants_competition_id_competitions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_competition_participants_submission_id_submissions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_competition_participants_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_competition_participants")),
        sa.UniqueConstraint(
            "competition_id",
            "player_name",
            name=op.f("uq_competition_participants_competition_id_player_name"),
        ),
        sa.UniqueConstraint(
            "competition_id", "user_id", name=op.f("uq_competition_participants_competition_id_user_id")
        ),
    )
    with op.batch_alter_table("competition_participants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_competition_participants_competition_id"), ["competition_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_competition_participants_submission_id"), ["submission_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_competition_participants_user_id"), ["user_id"], unique=False)

    op.create_table(
        "competition_seats",
        sa.Column("match_id", sa.Integer(), nullable=False),
        sa.Column("seat", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("points", sa.Integer(), nullable=True),
        sa.Column("dead", sa.Boolean(), nullable=False),
        sa.Column("dead_reason", sa.Text(), nullable=False),
        sa.Column("cpu_seconds", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(
            ["match_id"],
            ["competition_matches.id"],
            name=op.f("fk_competition_seats_match_id_competition_matches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["competition_participants.id"],
            name=op.f("fk_competition_seats_participant_id_competition_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("match_id", "seat", name=op.f("pk_competition_seats")),
    )
    with op.batch_alter_table("competition_seats", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_competition_seats_participant_id"), ["participant_id"], unique=False
        )

    with op.batch_alter_table("competitions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("started_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("seed", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("competitions", schema=None) as batch_op:
        batch_op.drop_column("seed")
        batch_op.drop_column("finished_at")
        batch_op.drop_column("started_at")

    with op.batch_alter_table("competition_seats", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_competition_seats_participant_id"))

    op.drop_table("competition_seats")
    with op.batch_alter_table("competition_participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_competition_participants_user_id"))
        batch_op.drop_index(batch_op.f("ix_competition_participants_submission_id"))
        batch_op.drop_index(batch_op.f("ix_competition_participants_competition_id"))

    op.drop_table("competition_participants")
    with op.batch_alter_table("competition_matches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_competition_matches_status"))
        batch_op.drop_index(batch_op.f("ix_competition_matches_round_id"))

    op.drop_table("competition_matches")
    with op.batch_alter_table("competition_rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_competition_rounds_competition_id"))

    op.drop_table("competition_rounds")
