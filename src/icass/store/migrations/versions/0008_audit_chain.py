"""the record made tamper-evident, and guarded from the application's own login (issue 16 §5)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 11:30:00

Each audit entry gets `previous_hash` and `hash` (icass.store.audit's docstring gives the serialization; this
migration keeps its own copy, as a migration must not move with the code), the entries already written get
theirs here, in the order of their ids, and `audit_chain` holds the newest entry and its hash.

SQLite: a trigger refuses an INSERT that names an entry's id already there. INSERT OR REPLACE would otherwise
delete that entry and write another in its place, and with recursive_triggers off (SQLite's default) the
delete trigger of migration 0002 does not fire for a REPLACE's delete.

PostgreSQL: the application's login is a member of icass_app and owns nothing (icass.store.database): it gets
SELECT and UPDATE on audit_chain and nothing more; it may not write the chain's head row away.
"""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

APP_ROLE = "icass_app"  # icass.store.database.APP_ROLE
FIRST_PREVIOUS = "0" * 64
CONTENT = ("id", "at", "username", "action", "entity", "post", "fiscal_year", "before", "after")


def _hash(previous: str, row: sa.Row[tuple[object, ...]]) -> str:
    values = [getattr(row, name) for name in CONTENT]
    content = json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(previous.encode("ascii") + content.encode("utf-8")).hexdigest()


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.add_column("audit_log", sa.Column("previous_hash", sa.String(length=64), nullable=True))
    op.add_column("audit_log", sa.Column("hash", sa.String(length=64), nullable=True))
    op.create_table(
        "audit_chain",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=True),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain")),
    )
    # The append-only guard of migration 0002 is lifted only while the entries already written get their hashes,
    # in this migration's transaction.
    if postgresql:
        op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
    else:
        op.execute("DROP TRIGGER audit_log_no_update")
    log = sa.table(
        "audit_log",
        *(sa.column(name, sa.JSON() if name in ("before", "after") else None) for name in CONTENT),
        sa.column("previous_hash"),
        sa.column("hash"),
    )
    bind = op.get_bind()
    previous, last_id = FIRST_PREVIOUS, None
    hashes = []
    for row in bind.execute(sa.select(log).order_by(log.c.id)):
        hashed = _hash(previous, row)
        hashes.append({"entry": row.id, "previous": previous, "hashed": hashed})
        previous, last_id = hashed, row.id
    if hashes:
        bind.execute(
            log.update()
            .where(log.c.id == sa.bindparam("entry"))
            .values(previous_hash=sa.bindparam("previous"), hash=sa.bindparam("hashed")),
            hashes,
        )
    op.execute(
        sa.text("INSERT INTO audit_chain (id, last_id, hash) VALUES (1, :last_id, :hash)").bindparams(
            last_id=last_id, hash=previous
        )
    )
    if postgresql:
        op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")
        op.execute(f"REVOKE ALL ON audit_chain FROM {APP_ROLE}")
        op.execute(f"GRANT SELECT, UPDATE ON audit_chain TO {APP_ROLE}")
        return
    op.execute(
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
    )
    op.execute(
        "CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log "
        "WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id) "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: that entry is written already'); END"
    )
    for statement in ("INSERT", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_chain_no_{statement.lower()} BEFORE {statement} ON audit_chain "
            "BEGIN SELECT RAISE(ABORT, 'the audit chain has one row, which only changes'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        for trigger in ("audit_log_no_replace", "audit_chain_no_insert", "audit_chain_no_delete"):
            op.execute(f"DROP TRIGGER {trigger}")
    op.drop_table("audit_chain")
    op.execute("ALTER TABLE audit_log DROP COLUMN hash")
    op.execute("ALTER TABLE audit_log DROP COLUMN previous_hash")
