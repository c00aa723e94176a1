"""the facts some of the handbook's budget rules need (issue 19): the post's guard force, MEDEVAC designation and
furniture pool; each agency's standing at post; a centrally funded contract line; a dual-function position

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 19:30:00.000000

Each is an optional column of its file (docs/bundle.md): the rows stored before have it empty, which reads as
the format's default (an agency's facts: not said; `central` and `dual_function`: no). The post's facts are
null when post.toml does not give them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

POST_FACTS = ("guard_force", "medevac_post", "furniture_pool")
CELLS = {
    "agencies": ("under_com", "physically_present", "co_located", "government_housing", "own_medical_program"),
    "positions": ("dual_function", "dual_approved_on"),
    "budget_lines": ("central",),
}


def upgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        for name in POST_FACTS:
            batch_op.add_column(sa.Column(name, sa.Text(), nullable=True))
    for table, names in CELLS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in names:
                batch_op.add_column(sa.Column(name, sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    for table, names in CELLS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in reversed(names):
                batch_op.drop_column(name)
    with op.batch_alter_table("posts", schema=None) as batch_op:
        for name in reversed(POST_FACTS):
            batch_op.drop_column(name)
