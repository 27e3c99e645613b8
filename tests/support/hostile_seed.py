"""A database full of marked hostile text, for tests that read what reaches a real terminal.

The payloads are the repository's hostile corpus (tests/data/hostile/make_corpus.py: markup,
escape sequences, C1, bidi, NUL/BEL) plus device queries, DCS, DEL, zero-width characters and
combining marks. Each sits between two copies of a unique marker (`QZ07...QZ07`), so a test
can find where the data was drawn in the raw output and tell its bytes from Textual's own.
"""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import select

HERE = Path(__file__).resolve().parents[1] / "data" / "hostile" / "make_corpus.py"


def _corpus() -> dict[str, str]:
    spec = importlib.util.spec_from_file_location("make_corpus", HERE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {**module.MARKUP, **module.ESCAPES}


EXTRA = {
    "cursor-report-query": "\x1b[6nwhere am i",
    "device-attributes-query": "\x1b[cwho are you",
    "dcs-request": "\x1bP$q m\x1b\\dcs",
    "apc": "\x1b_apc payload\x1b\\apc",
    "del": "del\x7fete",
    "zero-width": "zero\u200bwidth\ufeffbom\u2060join",
    "zalgo": "Z" + "\u0301\u0316\u0327\u0334" * 8 + "algo",
    "url": "see https://evil.example/pay now",
}
PAYLOADS = {**_corpus(), **EXTRA}
MARKS = {f"QZ{i:02d}": attack for i, attack in enumerate(PAYLOADS)}


def marked(key: str) -> str:
    return f"{key}{PAYLOADS[MARKS[key]]}{key}"


def all_marked(limit: int | None = None) -> str:
    return "\n".join(marked(k) for k in list(MARKS)[:limit])


def seed_hostile(path: Path) -> dict[str, int]:
    """Tickets, agents, a handover draft and a user template, all carrying marked payloads."""
    from store.db.engine import open_database
    from store.defaults import ensure_defaults
    from store.handover.lifecycle import handover_windows, open_draft, save_draft
    from store.models import Agent, Customer
    from store.team.agents import find_agent
    from store.tickets.actions import Context, add_note, create_ticket
    from store.tickets.ownership import claim

    now = datetime.now(UTC).replace(microsecond=0)
    t0 = now - timedelta(days=20)
    db = open_database(path)
    keys = list(MARKS)
    with db.write() as s:
        ensure_defaults(s, t0)
        for name, role in (("amy", "agent"), ("lead.lin", "lead"), ("lead.wang", "lead"), ("chief", "supervisor")):
            s.add(Agent(name=name, role=role, display_name=name, created_at=t0))
        s.add(Agent(name="mallory", role="agent", display_name=marked(keys[6]), created_at=t0))
        for key in keys:
            s.add(Customer(name=marked(key), tier="standard", contact=f"{key}@example.com", created_at=t0))
    with db.read() as s:
        agents = {a.name: a.id for a in s.exec(select(Agent))}
        customers = [c.id for c in s.exec(select(Customer).order_by(Customer.id))]
    ids: dict[str, int] = {}
    for n, key in enumerate(keys):
        with db.write() as s:
            ctx = Context.open(s, now - timedelta(minutes=5 + n))
            ticket = create_ticket(ctx, subject=marked(key), customer_id=customers[n], body=marked(key),
                                   category=marked(key) if n % 4 == 0 else "", priority="high",
                                   language="en")
            ids[key] = ticket.id
        with db.write() as s:
            add_note(Context.open(s, now - timedelta(minutes=4)), ids[key], agents["chief"], marked(key))
    with db.write() as s:  # one ticket mallory holds: a claim by anyone else names her
        claim(Context.open(s, now - timedelta(minutes=3)), ids[keys[1]], agents["mallory"])
    with db.write() as s:
        lead = find_agent(s, "lead.lin")
        ending, incoming = handover_windows(s, now)
        view = open_draft(s, now, lead, ending, incoming)
        content = view.content
        for section, part in (("special", slice(0, 8)), ("system", slice(8, 16)), ("next", slice(16, None))):
            content = content.with_text(section, "\n".join(marked(k) for k in keys[part]))
        view = save_draft(s, now, view.id, content, view.version, lead)
    ids["handover"] = view.id
    ids["handover_version"] = view.version
    db.dispose()
    return ids


def write_templates(path: Path) -> Path:
    """A user templates.toml whose titles and texts carry marked payloads (TOML escapes)."""
    def toml(value: str) -> str:
        return '"' + "".join(c if c.isprintable() and c not in '"\\' else f"\\u{ord(c):04x}" if ord(c) < 0x10000
                             else f"\\U{ord(c):08x}" for c in value) + '"'

    blocks = []
    for n, key in enumerate(list(MARKS)[:6]):
        text = marked(key)
        blocks.append(f"[[template]]\nkey = \"hostile-{n}\"\ntitle = {toml(text)}\nlanguage = \"en\"\n"
                      f"category = \"\"\ntags = [{toml(text)}]\nopening = {toml(text)}\nbody = {toml(text)}\n"
                      f"closing = {toml(text)}\n")
    path.write_text("\n".join(blocks), encoding="utf-8")
    return path
