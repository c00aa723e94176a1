"""job owners: which process runs a job, and the temporary folder it works in, so that a job left running by
a process that died can be ended and its folder removed when the workspace starts again

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 11:30:00.000000

Both columns are empty for the jobs made before: such a job was run by a process of an older version, which
no longer runs (icass.store.jobs.recover ends it as interrupted).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("folder", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("folder")
        batch_op.drop_column("owner")
