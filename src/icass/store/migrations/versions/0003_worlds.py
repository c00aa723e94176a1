"""worlds: world.toml's settings, the world CSV files' rows, and which stored posts a world's bundles are

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 11:11:40.416592

On PostgreSQL the application's role gets its privileges on these tables from the default privileges
migration 0002 set.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "worlds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("stage", sa.Text(), nullable=False),
        sa.Column("amsal_target", sa.BigInteger(), nullable=False),
        sa.Column("pat_target", sa.BigInteger(), nullable=False),
        sa.Column("dpm_pouch_percent", sa.Text(), nullable=False),
        sa.Column("fob_rsa_fee", sa.BigInteger(), nullable=True),
        sa.Column("tdy_as_of", sa.String(length=10), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("revision", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_worlds")),
        sa.UniqueConstraint("fiscal_year", name=op.f("uq_worlds_fiscal_year")),
    )
    op.create_table(
        "world_dependents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("world_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("agency", sa.Text(), nullable=False),
        sa.Column("dependents", sa.Text(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["world_id"], ["worlds.id"], name=op.f("fk_world_dependents_world_id_worlds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_world_dependents")),
    )
    with op.batch_alter_table("world_dependents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_world_dependents_world_id"), ["world_id"], unique=False)

    op.create_table(
        "world_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("world_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("header", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["world_id"], ["worlds.id"], name=op.f("fk_world_files_world_id_worlds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_world_files")),
        sa.UniqueConstraint("world_id", "name", name=op.f("uq_world_files_world_id")),
    )
    with op.batch_alter_table("world_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_world_files_world_id"), ["world_id"], unique=False)

    op.create_table(
        "world_gfs_workload",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("world_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("cost_center", sa.Text(), nullable=False),
        sa.Column("agency", sa.Text(), nullable=False),
        sa.Column("count", sa.Text(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["world_id"], ["worlds.id"], name=op.f("fk_world_gfs_workload_world_id_worlds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_world_gfs_workload")),
    )
    with op.batch_alter_table("world_gfs_workload", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_world_gfs_workload_world_id"), ["world_id"], unique=False)

    op.create_table(
        "world_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("world_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("item", sa.Text(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("post", sa.Text(), nullable=False),
        sa.Column("funding", sa.Text(), nullable=False),
        sa.Column("agency", sa.Text(), nullable=False),
        sa.Column("cost_center", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["world_id"], ["worlds.id"], name=op.f("fk_world_items_world_id_worlds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_world_items")),
    )
    with op.batch_alter_table("world_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_world_items_world_id"), ["world_id"], unique=False)

    op.create_table(
        "world_post_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("world_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("post", sa.Text(), nullable=False),
        sa.Column("mail", sa.Text(), nullable=False),
        sa.Column("separation_pay", sa.Text(), nullable=False),
        sa.Column("psa_guards", sa.Text(), nullable=False),
        sa.Column("medevac", sa.Text(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["world_id"], ["worlds.id"], name=op.f("fk_world_post_profiles_world_id_worlds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_world_post_profiles")),
    )
    with op.batch_alter_table("world_post_profiles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_world_post_profiles_world_id"), ["world_id"], unique=False)

    op.create_table(
        "world_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("world_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("folder", sa.Text(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["world_id"], ["worlds.id"], name=op.f("fk_world_posts_world_id_worlds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_world_posts")),
        sa.UniqueConstraint("world_id", "kind", "folder", name=op.f("uq_world_posts_world_id")),
    )
    with op.batch_alter_table("world_posts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_world_posts_world_id"), ["world_id"], unique=False)

    op.create_table(
        "world_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("world_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("agency", sa.Text(), nullable=False),
        sa.Column("tokens", sa.Text(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["world_id"], ["worlds.id"], name=op.f("fk_world_tokens_world_id_worlds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_world_tokens")),
    )
    with op.batch_alter_table("world_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_world_tokens_world_id"), ["world_id"], unique=False)


def downgrade() -> None:
    for table in (
        "world_tokens",
        "world_posts",
        "world_post_profiles",
        "world_items",
        "world_gfs_workload",
        "world_files",
        "world_dependents",
        "worlds",
    ):
        op.drop_table(table)
