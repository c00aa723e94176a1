"""versions and their path (issue 20 §1): a version's kind, revision and state, its canonical bundle and hash, the
Council's date and minutes, and each step taken on it (version_steps); and (issue 20 §4) the day an agency arrives
at post and the day it leaves (agencies.csv's optional arrives_on and leaves_on, empty on the rows stored before)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 22:30:00.000000

The approvals recorded before (one click of the FMO or the ISC) become initial versions the Council approved: the
n-th approval of a post is revision n-1 of its initial budget, its one step `record_council_approval` by whoever
recorded it, when, with the note as comment and minutes and the day as the Council's date. Such a version kept
its CSV files only: its bundle is made of them, with post.toml and the documents as the post has them now (its
name, region, methodology and facts rarely change), and hashed as icass.bundle.digest says. The serialization is
this migration's own copy, frozen: change neither it nor the store's for versions already written.

Down, the versions the Council has not approved are removed (before 0010 a version was an approval), with every
version's kind, state, bundle and steps.

On PostgreSQL the application's role gets its privileges on the new table from the default privileges migration
0002 set.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

AGENCY_DATES = ("arrives_on", "leaves_on")
RENAMED = (("approved_at", "created_at"), ("approved_by", "created_by"), ("note", "comment"))
ADDED = (
    ("kind", sa.String(length=8), False),
    ("kind_revision", sa.Integer(), False),
    ("state", sa.String(length=24), False),
    ("sha256", sa.String(length=64), False),
    ("bundle", sa.JSON(), False),
    ("council_date", sa.String(length=10), True),
    ("council_minutes", sa.Text(), True),
)


def _post_toml(post: Any) -> str:
    lines = ["[post]"]
    for key in ("code", "name", "country", "region", "methodology"):
        lines.append(f"{key} = {json.dumps(post[key], ensure_ascii=False)}")
    lines.append(f"fiscal_year = {post['fiscal_year']}")
    if post["count_date"] is not None:
        lines.append(f"count_date = {post['count_date']}")
    if post["stage"] is not None:
        lines.append(f"stage = {json.dumps(post['stage'], ensure_ascii=False)}")
    for fact in ("guard_force", "medevac_post", "furniture_pool"):
        if post[fact] is not None:
            lines.append(f"{fact} = {json.dumps(post[fact])}")
    return "\n".join(lines) + "\n"


def _csv(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _sha256(texts: dict[str, str]) -> str:
    ordered = sorted(texts, key=lambda name: name.encode("utf-8"))
    lines = "".join(f"{hashlib.sha256(texts[n].encode('utf-8')).hexdigest()}  {n}\n" for n in ordered)
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def upgrade() -> None:
    with op.batch_alter_table("agencies", schema=None) as batch_op:
        for name in AGENCY_DATES:
            batch_op.add_column(sa.Column(name, sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("post_versions", schema=None) as batch_op:
        for old, new in RENAMED:
            batch_op.alter_column(old, new_column_name=new)
        for name, kind, _ in ADDED:
            batch_op.add_column(sa.Column(name, kind, nullable=True))
    op.create_table(
        "version_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("agency", sa.String(length=16), nullable=True),
        sa.Column("refused", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["post_versions.id"],
            name=op.f("fk_version_steps_version_id_post_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_version_steps")),
    )
    with op.batch_alter_table("version_steps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_version_steps_version_id"), ["version_id"], unique=False)
    _convert(op.get_bind())
    with op.batch_alter_table("post_versions", schema=None) as batch_op:
        for name, kind, nullable in ADDED:
            if not nullable:
                batch_op.alter_column(name, existing_type=kind, nullable=False)


def _convert(connection: sa.Connection) -> None:
    meta = sa.MetaData()
    versions = sa.Table("post_versions", meta, autoload_with=connection)
    posts = sa.Table("posts", meta, autoload_with=connection)
    documents = sa.Table("documents", meta, autoload_with=connection)
    steps = sa.Table("version_steps", meta, autoload_with=connection)
    rows = connection.execute(sa.select(versions).order_by(versions.c.post_id, versions.c.number)).mappings().all()
    for row in rows:
        post = connection.execute(sa.select(posts).where(posts.c.id == row["post_id"])).mappings().one()
        texts = {"post.toml": _post_toml(post)}
        for name, kept in row["files"].items():
            texts[name] = _csv(kept["header"], kept["rows"])
        for name, text in connection.execute(
            sa.select(documents.c.name, documents.c.text).where(documents.c.post_id == row["post_id"])
        ):
            texts[name] = text
        connection.execute(
            sa.update(versions)
            .where(versions.c.id == row["id"])
            .values(
                kind="initial",
                kind_revision=row["number"] - 1,
                state="council_approved",
                sha256=_sha256(texts),
                bundle=texts,
                council_date=row["created_at"][:10],
                council_minutes=row["comment"],
            )
        )
        connection.execute(
            sa.insert(steps).values(
                version_id=row["id"],
                at=row["created_at"],
                username=row["created_by"],
                step="record_council_approval",
                agency=None,
                refused=False,
                comment=row["comment"],
                state="council_approved",
            )
        )


def downgrade() -> None:
    # Before 0010 a version was an approval: those the Council has not approved have no place there.
    op.execute("DELETE FROM post_versions WHERE state NOT IN ('council_approved', 'submitted_to_isc', 'accepted')")
    with op.batch_alter_table("version_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_version_steps_version_id"))
    op.drop_table("version_steps")
    with op.batch_alter_table("post_versions", schema=None) as batch_op:
        for name, _, _ in reversed(ADDED):
            batch_op.drop_column(name)
        for old, new in RENAMED:
            batch_op.alter_column(new, new_column_name=old)
    with op.batch_alter_table("agencies", schema=None) as batch_op:
        for name in reversed(AGENCY_DATES):
            batch_op.drop_column(name)
