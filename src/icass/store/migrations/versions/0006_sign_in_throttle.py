"""sign-in throttle: each try's client address, and indexes to count a client's failures and forget old ones

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 11:30:00.000000

Tries recorded before this revision have no address ('') and are forgotten like any other after a day
(icass.store.throttle).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("login_attempts", sa.Column("address", sa.String(length=64), server_default="", nullable=False))
    op.create_index(op.f("ix_login_attempts_address"), "login_attempts", ["address"], unique=False)
    op.create_index(op.f("ix_login_attempts_at"), "login_attempts", ["at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_login_attempts_at"), table_name="login_attempts")
    op.drop_index(op.f("ix_login_attempts_address"), table_name="login_attempts")
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.drop_column("address")
