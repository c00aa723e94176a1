"""the path of TDY invoices (issue 20 §5): each invoice's state, submission day and total then (tdy_invoices), each
step taken on it (tdy_invoice_steps), and the day the ISC issued a fiscal year's final headquarters invoices
(final_hq_invoices)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 00:45:00.000000

tdy/policy.toml is kept whole as a document, so its new optional key council_approved_on needs no column. Down,
the three tables go, with every step taken on a TDY invoice. On PostgreSQL the application's role gets its
privileges on the new tables from the default privileges migration 0002 set.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tdy_invoices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("invoice", sa.String(length=64), nullable=False),
        sa.Column("agency", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("submitted_on", sa.String(length=10), nullable=True),
        sa.Column("submitted_total", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_tdy_invoices_post_id_posts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tdy_invoices")),
        sa.UniqueConstraint("post_id", "invoice", name=op.f("uq_tdy_invoices_post_id")),
    )
    with op.batch_alter_table("tdy_invoices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tdy_invoices_post_id"), ["post_id"], unique=False)
    op.create_table(
        "tdy_invoice_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["tdy_invoices.id"],
            name=op.f("fk_tdy_invoice_steps_invoice_id_tdy_invoices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tdy_invoice_steps")),
    )
    with op.batch_alter_table("tdy_invoice_steps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tdy_invoice_steps_invoice_id"), ["invoice_id"], unique=False)
    op.create_table(
        "final_hq_invoices",
        sa.Column("fiscal_year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("issued_on", sa.String(length=10), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("fiscal_year", name=op.f("pk_final_hq_invoices")),
    )


def downgrade() -> None:
    op.drop_table("final_hq_invoices")
    with op.batch_alter_table("tdy_invoice_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tdy_invoice_steps_invoice_id"))
    op.drop_table("tdy_invoice_steps")
    with op.batch_alter_table("tdy_invoices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tdy_invoices_post_id"))
    op.drop_table("tdy_invoices")
