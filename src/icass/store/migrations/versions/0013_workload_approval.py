"""the Agency Workload approval (issue 20 §2): where each agency at a post stands on its workload counts, with the
lines it approved and their hash (workload_approvals), and each step taken on it (workload_approval_steps)

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-08 00:30:00.000000

New tables only: a post stored before has no approval, so each of its agencies is awaiting. Down, the tables go.

On PostgreSQL the application's role gets its privileges on the new tables from the default privileges migration
0002 set.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def _step() -> list[sa.Column[Any]]:
    """The columns of a step taken, on an approval's row (its latest) and each row of its steps."""
    return [
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("capacity", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("disputes", sa.JSON(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "workload_approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post", sa.String(length=16), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("agency", sa.String(length=16), nullable=False),
        *_step(),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workload_approvals")),
        sa.UniqueConstraint("post", "fiscal_year", "agency", name=op.f("uq_workload_approvals_post")),
    )
    op.create_table(
        "workload_approval_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("approval_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        *_step(),
        sa.ForeignKeyConstraint(
            ["approval_id"],
            ["workload_approvals.id"],
            name=op.f("fk_workload_approval_steps_approval_id_workload_approvals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workload_approval_steps")),
    )
    with op.batch_alter_table("workload_approval_steps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workload_approval_steps_approval_id"), ["approval_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("workload_approval_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workload_approval_steps_approval_id"))
    op.drop_table("workload_approval_steps")
    op.drop_table("workload_approvals")
