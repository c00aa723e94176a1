"""the data call and staffing certification (issue 20 §2): each fiscal year's data call as the ISC opened it
(data_calls) and each agency's certification of its staffing data at a post (certifications)

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-08 00:45:00.000000

Both tables are new: nothing stored before is converted. Down, they are dropped with what they hold. On PostgreSQL
the application's role gets its privileges on them from the default privileges migration 0002 set.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "data_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("count_date", sa.String(length=10), nullable=False),
        sa.Column("window_start", sa.String(length=10), nullable=False),
        sa.Column("window_end", sa.String(length=10), nullable=False),
        sa.Column("counts_to_agencies_by", sa.String(length=10), nullable=False),
        sa.Column("counts_agreed_by", sa.String(length=10), nullable=False),
        sa.Column("opened_by", sa.String(length=64), nullable=False),
        sa.Column("opened_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_calls")),
        sa.UniqueConstraint("fiscal_year", name=op.f("uq_data_calls_fiscal_year")),
    )
    op.create_table(
        "certifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post", sa.String(length=16), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("agency", sa.String(length=16), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("count_date", sa.String(length=10), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("cleared_at", sa.String(length=32), nullable=True),
        sa.Column("cleared_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certifications")),
    )
    with op.batch_alter_table("certifications", schema=None) as batch_op:
        batch_op.create_index("ix_certifications_post_fiscal_year", ["post", "fiscal_year"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("certifications", schema=None) as batch_op:
        batch_op.drop_index("ix_certifications_post_fiscal_year")
    op.drop_table("certifications")
    op.drop_table("data_calls")
