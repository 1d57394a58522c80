"""One verdict type down to the column: submissions.verdict and submission_tests.verdict take only
the judge's verdict codes (a CHECK constraint), and submissions.result goes (issue 11).

INGInious's ``result`` (success, failed, timeout ...) is INGInious's word for a verdict: its face
derives it from the verdict (and the per-problem verdicts) when it shows a submission, so the
judge and the database no longer speak INGInious. Rows stored with other verdict strings (none
were ever written) would make the upgrade fail on the constraint rather than be changed silently.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The codes of verdict.judge.verdicts.Verdict when this migration was written (migrations outlive
# the code, so they do not import it).
VERDICTS = ("AC", "WA", "PE", "IC", "TLE", "MLE", "OLE", "RE", "CE", "IE", "SC")
COLUMNS = (("submissions", "verdict", True), ("submission_tests", "test_verdict", False))


def _verdict(name: str, *, constraint: bool) -> sa.Enum:
    return sa.Enum(*VERDICTS, name=name, native_enum=False, create_constraint=constraint, length=3)


def upgrade() -> None:
    # SQLite copies the table, and the copy gets the type's CHECK constraint. Elsewhere the column
    # is altered in place and the constraint added once by hand (Alembic, given the type's own
    # constraint, emits the ADD CONSTRAINT twice on PostgreSQL).
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, name, nullable in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                "verdict",
                existing_type=sa.String(length=10),
                type_=_verdict(name, constraint=sqlite),
                existing_nullable=nullable,
            )
            if table == "submissions":
                batch_op.drop_column("result")
        if not sqlite:
            codes = ", ".join(f"'{code}'" for code in VERDICTS)
            op.create_check_constraint(name, table, f"verdict IN ({codes})")


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, name, nullable in COLUMNS:
        if not sqlite:
            op.drop_constraint(name, table, type_="check")  # named by the convention: ck_<table>_<name>
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                "verdict",
                existing_type=_verdict(name, constraint=sqlite),
                type_=sa.String(length=10),
                existing_nullable=nullable,
            )
            if table == "submissions":
                batch_op.add_column(sa.Column("result", sa.String(length=20), nullable=True))
