"""ticket search: a text index over the open tickets only, kept by triggers

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-04

The queue's filter used to test `LIKE '%term%'` on every open ticket's subject and on every
customer ever stored. Now each open ticket has one row of searchable text (subject, the body of
its first message, the customer's name and contact), and a ticket leaves the index when it
closes, so a search touches only matching open tickets however long the history grows.

* SQLite: an FTS5 table with the trigram tokenizer (`ticket_fts`, rowid = ticket id). Terms of
  three characters or more are a phrase query (substring match, case folded); shorter ones (a
  CJK word of one or two characters) are the range of trigrams they begin, read from the
  index's own vocabulary (`ticket_fts_terms`), so they too touch only matching open tickets.
* PostgreSQL: `ticket_search` (ticket id, text) with a `pg_trgm` GIN index, used by `ILIKE`
  for three characters or more; shorter terms scan the same open-only table. Where the
  extension cannot be created (no right to), the table works without the index.

Triggers on ticket, ticket_event and customer keep the text current from every writer (the
console, import, ingest, the demo), in the same transaction as the change.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None

BODY_CHARS = 2000  # of the first message: enough to find a ticket by what the customer wrote

def _sqlite_row(t: str) -> str:
    """The FTS row of ticket `t` (NEW, or the alias of a ticket table). Every column ends in two
    spaces, so each character and pair of characters begins some trigram: a term of one or two
    characters is then a range of the index's own terms (ticket_fts_terms), not a scan."""
    body = (f"(SELECT substr(e.body, 1, {BODY_CHARS}) FROM ticket_event e "
            f"WHERE e.ticket_id = {t}.id AND e.kind = 'created' ORDER BY e.id LIMIT 1)")
    return (f"SELECT {t}.id, {t}.subject || '  ', coalesce({body}, '') || '  ', "
            f"coalesce(c.name, '') || '  ', coalesce(c.contact, '') || '  '")


_FTS_INSERT = "INSERT INTO ticket_fts(rowid, subject, body, name, contact) "
_SQLITE = [
    "CREATE VIRTUAL TABLE ticket_fts USING fts5(subject, body, name, contact, tokenize='trigram')",
    "CREATE VIRTUAL TABLE ticket_fts_terms USING fts5vocab(ticket_fts, 'instance')",
    f"""CREATE TRIGGER ticket_fts_insert AFTER INSERT ON ticket WHEN NEW.is_open BEGIN
        {_FTS_INSERT} {_sqlite_row("NEW")} FROM (SELECT 1) LEFT JOIN customer c ON c.id = NEW.customer_id;
    END""",
    f"""CREATE TRIGGER ticket_fts_update AFTER UPDATE OF is_open, subject, customer_id ON ticket
    WHEN OLD.is_open IS NOT NEW.is_open OR OLD.subject IS NOT NEW.subject
         OR OLD.customer_id IS NOT NEW.customer_id BEGIN
        DELETE FROM ticket_fts WHERE rowid = OLD.id;
        {_FTS_INSERT} {_sqlite_row("NEW")} FROM (SELECT 1) LEFT JOIN customer c ON c.id = NEW.customer_id
        WHERE NEW.is_open;
    END""",
    "CREATE TRIGGER ticket_fts_delete AFTER DELETE ON ticket BEGIN DELETE FROM ticket_fts WHERE rowid = OLD.id; END",
    f"""CREATE TRIGGER ticket_fts_body AFTER INSERT ON ticket_event WHEN NEW.kind = 'created' BEGIN
        UPDATE ticket_fts SET body = substr(NEW.body, 1, {BODY_CHARS}) || '  ' WHERE rowid = NEW.ticket_id;
    END""",
    """CREATE TRIGGER ticket_fts_customer AFTER UPDATE OF name, contact ON customer
    WHEN OLD.name IS NOT NEW.name OR OLD.contact IS NOT NEW.contact BEGIN
        UPDATE ticket_fts SET name = NEW.name || '  ', contact = NEW.contact || '  '
        WHERE rowid IN (SELECT t.id FROM ticket t WHERE t.customer_id = NEW.id AND t.is_open);
    END""",
    f"{_FTS_INSERT} {_sqlite_row('t')} FROM ticket t JOIN customer c ON c.id = t.customer_id WHERE t.is_open",
]

_SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS ticket_fts_customer",
    "DROP TRIGGER IF EXISTS ticket_fts_body",
    "DROP TRIGGER IF EXISTS ticket_fts_delete",
    "DROP TRIGGER IF EXISTS ticket_fts_update",
    "DROP TRIGGER IF EXISTS ticket_fts_insert",
    "DROP TABLE IF EXISTS ticket_fts_terms",
    "DROP TABLE IF EXISTS ticket_fts",
]

# One function computes a ticket's text, so the triggers and the backfill cannot disagree.
_PG = [
    "CREATE TABLE ticket_search (ticket_id BIGINT PRIMARY KEY, doc TEXT NOT NULL)",
    f"""CREATE OR REPLACE FUNCTION ticket_search_doc(tid BIGINT) RETURNS TEXT LANGUAGE sql STABLE AS $$
        SELECT concat_ws(E'\\n', t.subject,
               coalesce((SELECT left(e.body, {BODY_CHARS}) FROM ticket_event e
                         WHERE e.ticket_id = t.id AND e.kind = 'created' ORDER BY e.id LIMIT 1), ''),
               c.name, c.contact)
        FROM ticket t LEFT JOIN customer c ON c.id = t.customer_id WHERE t.id = tid
    $$""",
    """CREATE OR REPLACE FUNCTION ticket_search_ticket() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM ticket_search WHERE ticket_id = OLD.id;
            RETURN NULL;
        END IF;
        IF TG_OP = 'UPDATE' THEN
            IF OLD.is_open IS NOT DISTINCT FROM NEW.is_open AND OLD.subject IS NOT DISTINCT FROM NEW.subject
               AND OLD.customer_id IS NOT DISTINCT FROM NEW.customer_id THEN
                RETURN NULL;
            END IF;
            DELETE FROM ticket_search WHERE ticket_id = OLD.id;
        END IF;
        IF NEW.is_open THEN
            INSERT INTO ticket_search (ticket_id, doc) VALUES (NEW.id, ticket_search_doc(NEW.id));
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER ticket_search_ticket AFTER INSERT OR UPDATE OR DELETE ON ticket
        FOR EACH ROW EXECUTE FUNCTION ticket_search_ticket()""",
    """CREATE OR REPLACE FUNCTION ticket_search_event() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE ticket_search SET doc = ticket_search_doc(NEW.ticket_id) WHERE ticket_id = NEW.ticket_id;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER ticket_search_event AFTER INSERT ON ticket_event
        FOR EACH ROW WHEN (NEW.kind = 'created') EXECUTE FUNCTION ticket_search_event()""",
    """CREATE OR REPLACE FUNCTION ticket_search_customer() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE ticket_search s SET doc = ticket_search_doc(s.ticket_id)
        FROM ticket t WHERE t.id = s.ticket_id AND t.customer_id = NEW.id;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER ticket_search_customer AFTER UPDATE OF name, contact ON customer
        FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.contact IS DISTINCT FROM NEW.contact)
        EXECUTE FUNCTION ticket_search_customer()""",
    "INSERT INTO ticket_search (ticket_id, doc) SELECT t.id, ticket_search_doc(t.id) FROM ticket t WHERE t.is_open",
]

_PG_DOWN = [
    "DROP TRIGGER IF EXISTS ticket_search_customer ON customer",
    "DROP TRIGGER IF EXISTS ticket_search_event ON ticket_event",
    "DROP TRIGGER IF EXISTS ticket_search_ticket ON ticket",
    "DROP FUNCTION IF EXISTS ticket_search_customer()",
    "DROP FUNCTION IF EXISTS ticket_search_event()",
    "DROP FUNCTION IF EXISTS ticket_search_ticket()",
    "DROP TABLE IF EXISTS ticket_search",
    "DROP FUNCTION IF EXISTS ticket_search_doc(BIGINT)",
]


def _trigram_schema() -> str | None:
    """The schema pg_trgm lives in, creating it (in public) if it is missing and we may; None:
    not available (the search still works, scanning the open tickets' text)."""
    bind = op.get_bind()
    found = bind.execute(text("SELECT n.nspname FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace "
                              "WHERE x.extname = 'pg_trgm'")).scalar()
    if found:
        return found
    savepoint = bind.begin_nested()
    try:
        bind.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public"))
    except Exception:  # no right to create it here: the table works without the index
        savepoint.rollback()
        return None
    savepoint.commit()
    return "public"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in _SQLITE:
            op.execute(statement)
        return
    for statement in _PG:
        op.execute(statement)
    schema = _trigram_schema()
    if schema is not None:
        op.execute(f'CREATE INDEX ix_ticket_search_trgm ON ticket_search USING gin (doc "{schema}".gin_trgm_ops)')


def downgrade() -> None:
    for statement in _SQLITE_DOWN if op.get_bind().dialect.name == "sqlite" else _PG_DOWN:
        op.execute(statement)
