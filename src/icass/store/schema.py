"""The tables of the database, one per bundle file (docs/store.md).

Each table's columns are its file's columns. Amounts are integers in cents (BIGINT); every other cell is kept
as the text the bundle format defines (a decimal as written, a date as YYYY-MM-DD, yes or no), because the
bundle's parsers are the one definition of what a cell may hold: a change is checked by parsing it as a
file's cell is parsed, and a post is computed by reading its rows through the same parsers. SQLite has no
exact decimal type (NUMERIC is a float there, ../shared/STACK.md), and text keeps "0.50" as "0.50".

Every row carries its post, its place in the file (`line`), a `version` for optimistic locking, and the
columns a file carries beyond its format (`extra`, as agencies.csv's bureau) so that nothing is lost.
The bundle's and the world's row tables are made from the format's declaration (icass.bundle.format), as the
readers are. The migrations that made them are written out and frozen: tests/store/test_store.py holds the
tables made here to what the migrations create, so a change to the format that changes a table needs a new
migration, which can build its columns from the declaration.
"""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from icass.bundle import format
from icass.bundle.format import File

Cell = Literal["text", "cents"]


def _cells(file: File) -> tuple[str, dict[str, Cell]]:
    return file.table, {c.name: "cents" if c.cents else "text" for c in file.columns}


# Each bundle file (its path in the bundle) -> its table and columns, in the format's order (icass.bundle.format).
FILES: dict[str, tuple[str, dict[str, Cell]]] = {name: _cells(file) for name, file in format.FILES.items()}
# Documents kept whole, as written: the post's TDY policy is one text its FMO edits as a whole.
DOCUMENTS = (format.POLICY_FILE,)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

posts = Table(
    "posts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(16), nullable=False),
    Column("fiscal_year", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("country", Text, nullable=False),
    Column("region", String(8), nullable=False),
    Column("methodology", String(16), nullable=False),
    Column("count_date", String(10)),  # None: post.toml leaves it to the default (H-341.1-4 a)
    Column("stage", Text),  # None: post.toml says no stage
    # Facts some budget rules need (icass.checks.facts), as post.toml writes them; None: it does not say.
    Column("guard_force", Text),
    Column("medevac_post", Text),  # yes or no
    Column("furniture_pool", Text),  # yes or no
    Column("state_program_im", Text),  # yes or no
    Column("cell_phone_program", Text),  # yes or no
    Column("radio_repeater_site", Text),  # yes or no
    Column("new_facilities", Text),  # yes or no
    Column("version", Integer, nullable=False, default=1),
    # A new random token whenever anything of the post changes: what a computed run is kept by (a row id
    # can come back after a delete, a token does not).
    Column("revision", String(32), nullable=False),
    UniqueConstraint("code", "fiscal_year"),
)

# Which files a post's bundle has, and each one's header as written (its columns' order, the optional
# columns it has, the extra ones it carries).
bundle_files = Table(
    "bundle_files",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("post_id", ForeignKey("posts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(64), nullable=False),
    Column("header", JSON, nullable=False),
    UniqueConstraint("post_id", "name"),
)

documents = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("post_id", ForeignKey("posts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("version", Integer, nullable=False, default=1),
    UniqueConstraint("post_id", "name"),
)


def cell_columns(file: File) -> list[Column[Any]]:
    """The columns that keep `file`'s cells, as the format declares them: amounts in cents, the rest as text. A
    new migration that adds a file or a column can take it from these; the migrations already written stay
    as they are (tests/store/test_store.py holds them to these tables)."""
    return [
        Column(c.name, BigInteger if c.cents else Text, nullable=False, default=0 if c.cents else "")
        for c in file.columns
    ]


def _row_table(file: File, owner: str) -> Table:
    """A file's table: each row with its owner (a post, a world), its place among the file's rows (`line`, from
    1), its version, its cells and the columns beyond the format (`extra`)."""
    return Table(
        file.table,
        metadata,
        Column("id", Integer, primary_key=True),
        Column(f"{owner}_id", ForeignKey(f"{owner}s.id", ondelete="CASCADE"), nullable=False, index=True),
        Column("line", Integer, nullable=False),
        Column("version", Integer, nullable=False, default=1),
        *cell_columns(file),
        Column("extra", JSON, nullable=False, default=dict),
    )


ROW_TABLES: dict[str, Table] = {name: _row_table(file, "post") for name, file in format.FILES.items()}


# People and the record (issue 8 §2, docs/workspace.md). Times are ISO 8601 UTC text ("2026-11-23T10:00:00.000001Z"):
# sortable as text, and the same on SQLite (which has no time zone type) as on PostgreSQL.

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),  # argon2id, in its own encoded form (salt and parameters)
    Column("created_at", String(32), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
)

# What an account may do where: `admin` everywhere; `fmo` of a post; `committee` for an agency at a post;
# `hq` for an agency at every post. A post is its code, for every fiscal year.
roles = Table(
    "roles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("role", String(16), nullable=False),
    Column("post", String(16)),
    Column("agency", String(16)),
)

# Server-side sessions: the cookie holds a random token, the database its SHA-256 (a stolen copy of the
# table opens nothing); revoking one is setting `revoked_at`.
sessions = Table(
    "sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("account_id", ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("seen_at", String(32), nullable=False),
    Column("revoked_at", String(32)),
)

# Sign-in tries, kept only as long as the throttle needs them (icass.store.throttle). `address` is the client's,
# as the server saw it (an IPv6 address has at most 45 characters).
login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, index=True),
    Column("at", String(32), nullable=False, index=True),
    Column("succeeded", Boolean, nullable=False),
    Column("address", String(64), nullable=False, server_default="", index=True),
)

# Append-only: no code path updates or deletes it, SQLite and PostgreSQL triggers refuse both (SQLite also an
# INSERT that names an id already there, which INSERT OR REPLACE would turn into a delete), and on PostgreSQL
# the application's login has neither privilege (migrations 0002 and 0008). It names posts by code and fiscal
# year, not by row id, so that it outlives a post replaced by an import.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", String(32), nullable=False),
    Column("username", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("entity", Text, nullable=False),
    Column("post", String(16)),
    Column("fiscal_year", Integer),
    Column("before", JSON),
    Column("after", JSON),
    # The chain that makes the record tamper-evident (icass.store.audit, migration 0008): the hash of the entry
    # before this one, and the SHA-256 of that hash and this entry's content.
    Column("previous_hash", String(64)),
    Column("hash", String(64)),
)

# One row: the newest entry of the chain and its hash. Every append updates it first, so that appends are one
# at a time on both backends (the row's lock on PostgreSQL, the write lock on SQLite), and so that entries
# cut from the end of the log show as a head that names an entry no longer there.
audit_chain = Table(
    "audit_chain",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("last_id", Integer),
    Column("hash", String(64), nullable=False),
)

# A committee member's decision on a modification: the budget committee "reviews and approves workload count
# modification requests" (ICASS overview, Players at Post; H-332.1).
approvals = Table(
    "approvals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("modification_id", ForeignKey("modifications.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("username", String(64), nullable=False),
    Column("agency", String(16), nullable=False),
    Column("decision", String(8), nullable=False),  # approve | reject
    Column("note", Text, nullable=False, default=""),
    Column("at", String(32), nullable=False),
)

# Long work (an import, the world recomputed) done outside the request: its progress is polled by the page.
jobs = Table(
    "jobs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("username", String(64), nullable=False),
    Column("state", String(16), nullable=False),  # queued | running | done | failed | interrupted
    Column("done", Integer, nullable=False, default=0),
    Column("total", Integer, nullable=False, default=0),
    Column("message", Text, nullable=False, default=""),
    Column("result", JSON),
    Column("created_at", String(32), nullable=False),
    Column("finished_at", String(32)),
    # Migration 0007: the process that runs it (host, process id, a random id of the process) and the temporary
    # folder its work uses, so that a job whose process died is ended and its folder removed (icass.store.jobs).
    Column("owner", String(128)),
    Column("folder", Text),
)


# Worlds (docs/world.md, docs/store.md "Worlds"): world.toml's settings, one table per world CSV file, and
# which stored posts the world's post bundles are. A world's posts are ordinary posts (the `posts` table): the
# world names them by code and fiscal year, not by row id, so that a post replaced on its own stays in its
# world. `folder` is the bundle's folder name (posts/<folder>, tdy/<folder>), so that an export writes the
# world back as it came.

# Each world CSV file -> its table and columns, in the format's order. items.csv's amounts are signed cents.
WORLD_FILES: dict[str, tuple[str, dict[str, Cell]]] = {
    name: _cells(file) for name, file in format.WORLD_FILE_OF.items()
}

worlds = Table(
    "worlds",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("fiscal_year", Integer, nullable=False, unique=True),
    Column("stage", Text, nullable=False),
    Column("amsal_target", BigInteger, nullable=False),  # cents
    Column("pat_target", BigInteger, nullable=False),  # cents
    Column("dpm_pouch_percent", Text, nullable=False),  # as written: "38.5"
    Column("fob_rsa_fee", BigInteger),  # cents; None: world.toml leaves it to the default (0)
    Column("tdy_as_of", String(10)),  # YYYY-MM-DD; None: world.toml leaves it to the day of the run
    Column("version", Integer, nullable=False, default=1),
    Column("revision", String(32), nullable=False),  # a new random token whenever the world's own data changes
)

world_files = Table(
    "world_files",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("world_id", ForeignKey("worlds.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(64), nullable=False),
    Column("header", JSON, nullable=False),
    UniqueConstraint("world_id", "name"),
)

world_posts = Table(
    "world_posts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("world_id", ForeignKey("worlds.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("kind", String(8), nullable=False),  # posts | tdy (a prior-year final budget, its TDY invoices billed)
    Column("folder", Text, nullable=False),
    Column("code", String(16), nullable=False),
    Column("fiscal_year", Integer, nullable=False),
    UniqueConstraint("world_id", "kind", "folder"),
)


WORLD_ROW_TABLES: dict[str, Table] = {name: _row_table(file, "world") for name, file in format.WORLD_FILE_OF.items()}


# What-if scenarios (issue 8 §4, docs/workspace.md "What-if scenarios"): changes to a post's rows kept apart from
# them, computed overlaid on the post's current rows and written to the post only when an FMO applies them
# (through icass.store.changes, each change audited as any other). A change names its row by id, or a workload
# line by its id (cost_center:agency[:factor]); `base_version` is the version of that row when the change was
# made (0: a derived workload line, or a new row), so that applying a change to a row changed since is a 409.
scenarios = Table(
    "scenarios",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("post_id", ForeignKey("posts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("base_revision", String(32), nullable=False),  # the post's revision when the scenario was made
    Column("version", Integer, nullable=False, default=1),  # bumped by every change to the scenario
    Column("applied_at", String(32)),  # None until an FMO applies it; then it is kept, read-only, as a record
    Column("applied_by", String(64)),
)

scenario_changes = Table(
    "scenario_changes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("scenario_id", ForeignKey("scenarios.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("line", Integer, nullable=False),  # the order the changes are overlaid and applied in, from 1
    Column("resource", String(32), nullable=False),  # an API resource (budget-lines ...) or `workload`
    Column("target", Text, nullable=False),  # a row id, a workload line id, or "" for a new row
    Column("action", String(8), nullable=False),  # set | delete | create
    Column("values", JSON, nullable=False),  # the cells as the person typed them (text, as the API takes them)
    Column("base_version", Integer, nullable=False),
)

# Versions of a post's budget (docs/workspace.md "Versions and their path", issue 20 §1): each made from the post's
# rows as they were then and never changed after. `bundle` is the canonical bundle `icass export` wrote then (each
# file's text by its path) and `sha256` its hash (icass.bundle.digest); `files` the same rows as cells, which
# what changed since reads. A version is of a kind (initial or final) and its `kind_revision` (0: the kind's first,
# n: its n-th revision, "the next available budget"); `state` is where it stands on its path
# (icass.model.approval), each step taken kept in version_steps. `revision` is the post's revision token then.
# Migration 0010 made the approvals recorded before it council-approved initial versions.
post_versions = Table(
    "post_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("post_id", ForeignKey("posts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("number", Integer, nullable=False),  # 1, 2, ... at each post and fiscal year
    Column("created_at", String(32), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("comment", Text, nullable=False),
    Column("revision", String(32), nullable=False),  # the post's revision then
    Column("files", JSON, nullable=False),  # {file: {"header": [...], "rows": [[cell, ...], ...]}}
    Column("kind", String(8), nullable=False),  # initial | final
    Column("kind_revision", Integer, nullable=False),
    Column("state", String(24), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("bundle", JSON, nullable=False),  # {path: text}
    Column("council_date", String(10)),  # the Council's approval: its date (YYYY-MM-DD) and minutes reference
    Column("council_minutes", Text),
    UniqueConstraint("post_id", "number"),
)

# Each step taken on a version, in order: who, when, in which capacity (the agency of a committee member's
# recommendation), refused or taken, the comment, and the state it left the version in.
version_steps = Table(
    "version_steps",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version_id", ForeignKey("post_versions.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("at", String(32), nullable=False),
    Column("username", String(64), nullable=False),
    Column("step", String(32), nullable=False),
    Column("agency", String(16)),
    Column("refused", Boolean, nullable=False),
    Column("comment", Text, nullable=False),
    Column("state", String(24), nullable=False),
)

# A fiscal year's data call (issue 20 §2, icass.model.data_call): the ISC opens it once a year and may change it;
# each date is YYYY-MM-DD text, `opened_by` and `opened_at` who set it as it stands (every change is in the record).
data_calls = Table(
    "data_calls",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("fiscal_year", Integer, nullable=False, unique=True),
    Column("count_date", String(10), nullable=False),
    Column("window_start", String(10), nullable=False),
    Column("window_end", String(10), nullable=False),
    Column("counts_to_agencies_by", String(10), nullable=False),
    Column("counts_agreed_by", String(10), nullable=False),
    Column("opened_by", String(64), nullable=False),
    Column("opened_at", String(32), nullable=False),
)

# Each agency's certification of its staffing data at a post (issue 20 §2, icass.store.certifications): who, when,
# the comment, the count date it was as of, how many rows and their SHA-256 (icass.views.staffing). A post is named
# by code and fiscal year, as in the audit log, so that a certification outlives a post replaced by an import (and
# is then judged against the rows imported). `cleared_at` and `cleared_by`: the change that cleared it, when the
# change was made through a path that says so; a certification whose rows' hash no longer matches is cleared
# whether or not that was recorded.
certifications = Table(
    "certifications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("post", String(16), nullable=False),
    Column("fiscal_year", Integer, nullable=False),
    Column("agency", String(16), nullable=False),
    Column("username", String(64), nullable=False),
    Column("at", String(32), nullable=False),
    Column("comment", Text, nullable=False),
    Column("count_date", String(10), nullable=False),
    Column("rows", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("cleared_at", String(32)),
    Column("cleared_by", String(64)),
    Index("ix_certifications_post_fiscal_year", "post", "fiscal_year"),
)


# The Agency Workload approval (issue 20 §2, icass.model.workload_approval): where each agency at a post stands on
# its workload counts (awaiting, approved, disputed, reopened), with the lines of its last approval (`snapshot`:
# [[cost_center, factor, count, modification], ...]) and their hash, which every change to the post is held to
# while it is approved. Kept by the post's code and year, not its row: importing the post again keeps them.
# An approval's row holds its latest step as each row of workload_approval_steps holds one: these columns.
def _approval_step() -> list[Column[Any]]:
    return [
        Column("state", String(16), nullable=False),
        Column("username", String(64), nullable=False),  # who took the step, when, in which capacity
        Column("at", String(32), nullable=False),
        Column("capacity", String(16), nullable=False),
        Column("comment", Text, nullable=False),
        Column("disputes", JSON, nullable=False),  # [{"cost_center", "comment"}, ...] of a dispute
        Column("sha256", String(64), nullable=False),  # of the lines last approved; "" before any approval
    ]


workload_approvals = Table(
    "workload_approvals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("post", String(16), nullable=False),
    Column("fiscal_year", Integer, nullable=False),
    Column("agency", String(16), nullable=False),
    *_approval_step(),
    Column("snapshot", JSON, nullable=False),
    UniqueConstraint("post", "fiscal_year", "agency"),
)

# Each step taken on an agency's approval, in order.
workload_approval_steps = Table(
    "workload_approval_steps",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("approval_id", ForeignKey("workload_approvals.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("step", String(16), nullable=False),
    *_approval_step(),
)

# The path of each TDY invoice of a stored post (docs/workspace.md "TDY invoices through their own path", issue 20
# §5): an invoice is named by the first of its visits; a row exists once a step was taken on it (before, it is
# `prepared`). `submitted_on` is the day of its latest submission, the day it is judged on, and `submitted_total`
# its total then (cents), which its approval checks against. Each step is kept in tdy_invoice_steps.
tdy_invoices = Table(
    "tdy_invoices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("post_id", ForeignKey("posts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("invoice", String(64), nullable=False),
    Column("agency", String(16), nullable=False),  # the sponsoring agency's code: whose headquarters approves it
    Column("state", String(24), nullable=False),
    Column("submitted_on", String(10)),  # YYYY-MM-DD
    Column("submitted_total", BigInteger),
    UniqueConstraint("post_id", "invoice"),
)

# Each step taken on a TDY invoice, in order: who, when, the comment (a rejection's reason), the state it left the
# invoice in, and the invoice's total then (cents).
tdy_invoice_steps = Table(
    "tdy_invoice_steps",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("invoice_id", ForeignKey("tdy_invoices.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("at", String(32), nullable=False),
    Column("username", String(64), nullable=False),
    Column("step", String(32), nullable=False),
    Column("comment", Text, nullable=False),
    Column("state", String(24), nullable=False),
    Column("total", BigInteger, nullable=False),
)

# The day the ISC issued a fiscal year's final headquarters invoices, as it records it: a TDY invoice submitted
# after it is billed in the next fiscal year (H-363.1-6 c(7)).
final_hq_invoices = Table(
    "final_hq_invoices",
    metadata,
    Column("fiscal_year", Integer, primary_key=True, autoincrement=False),
    Column("issued_on", String(10), nullable=False),
    Column("recorded_by", String(64), nullable=False),
    Column("recorded_at", String(32), nullable=False),
)
