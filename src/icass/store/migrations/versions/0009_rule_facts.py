"""the facts some of the handbook's budget rules need (issue 19): the post's guard force, MEDEVAC designation,
furniture pool, State Program IM officer, cell phone program, radio repeater site and new facilities; each agency's
standing at post; a regional employee's home post and the position a person encumbers; office space that is a
common area or vacant; the compound a building is on and the official residences; what a transaction was; a
centrally funded contract line and an alternate service provider's; a dual-function position and the approvals
of a local guard coordinator's; the FMO's acknowledgements of warnings (acknowledgements.csv); each post's
targets, a bundle's own and a world's (targets.csv, H-422); a world's central AmSal and PAT factors
(cost_factors.csv, H-423.1); and the customer agencies' notices of terminating a service (terminations.csv,
H-341.12-4(D) c)

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

POST_FACTS = (
    "guard_force",
    "medevac_post",
    "furniture_pool",
    "state_program_im",
    "cell_phone_program",
    "radio_repeater_site",
    "new_facilities",
)
CELLS = {
    "agencies": ("under_com", "physically_present", "co_located", "government_housing", "own_medical_program"),
    "positions": ("dual_function", "dual_approved_on", "ds_approved_on", "council_approved_on"),
    "budget_lines": ("central", "provider"),
    "people": ("home_post", "position_id"),
    "office_space": ("common", "vacant_since", "compound"),
    "housing": ("compound", "official_residence"),
    "activity": ("description",),
}


ACKNOWLEDGEMENT_CELLS = ("rule", "file", "row", "reason", "by", "on")


TARGET_CELLS = ("fiscal_year", "funding", "kind")
TERMINATION_CELLS = ("agency", "cost_center", "notice_on", "ends_on", "reassigned_on")


def _row_table(name: str, owner: str, cells: tuple[str, ...], amounts: tuple[str, ...] = ()) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(f"{owner}_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *(sa.Column(cell, sa.Text(), nullable=False) for cell in cells),
        *(sa.Column(cell, sa.BigInteger(), nullable=False) for cell in amounts),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            [f"{owner}_id"], [f"{owner}s.id"], name=op.f(f"fk_{name}_{owner}_id_{owner}s"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{name}_{owner}_id"), [f"{owner}_id"], unique=False)


def _drop(name: str, owner: str) -> None:
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f(f"ix_{name}_{owner}_id"))
    op.drop_table(name)


def upgrade() -> None:
    _row_table("targets", "post", TARGET_CELLS, ("amount",))
    _row_table("world_targets", "world", ("post", *TARGET_CELLS), ("amount",))
    _row_table("acknowledgements", "post", ACKNOWLEDGEMENT_CELLS)
    _row_table("world_cost_factors", "world", ("grade",), ("amsal", "pat"))
    _row_table("terminations", "post", TERMINATION_CELLS)
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
    _drop("terminations", "post")
    _drop("world_cost_factors", "world")
    _drop("acknowledgements", "post")
    _drop("world_targets", "world")
    _drop("targets", "post")
