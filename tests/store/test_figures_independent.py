"""An independent checker: every field of `shiftdesk report --format json`, recomputed from the raw
tables (ticket, ticket_event, sla_clock, survey, audit, shift) with plain SQL and Python.

It imports nothing from store.reports or store.rollups: the definitions are written out again
here from README.md ("Report JSON"), in a different shape (one pass per figure, values looked up
by scanning each ticket's changes), so a wrong shortcut in the project cannot agree with it by
construction. Percentiles are exact here and must be within 1% of the report's (the stated
bound); every other field must be equal. Run on SQLite and PostgreSQL, on a demo database with
live actions on top (priority raises after due times, reopens, 1-10 surveys, instants a fraction
of a second before the hour) and on periods whose edges are on the half hour.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from console.cli import app
from store.clock import FrozenClock, set_clock
from store.db.engine import open_database
from store.demo.generate import DemoSpec, generate

NOW = datetime(2026, 3, 10, 9, 20, tzinfo=UTC)
SOLVED = ("solved", "closed")
WINDOW = timedelta(days=7)
runner = CliRunner()


def _dt(value) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _json(value) -> dict:
    if isinstance(value, str):
        return json.loads(value) if value else {}
    return value or {}


def _secs(at: datetime) -> int:
    return int((at - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds() // 1)


# -- the raw rows ------------------------------------------------------------------------------------


def load(conn) -> dict:
    q = lambda sql: conn.execute(text(sql)).all()  # noqa: E731
    tickets = {r[0]: {"customer": r[1], "created": _dt(r[2]), "channel": r[3], "category": r[4], "priority": r[5],
                      "events": [], "clocks": [], "surveys": [], "cats": []}
               for r in q("SELECT id, customer_id, created_at, channel, category, priority FROM ticket")}
    for tid, _eid, kind, at, actor, data in q("SELECT ticket_id, id, kind, at, actor_id, data FROM ticket_event "
                                             "ORDER BY ticket_id, id"):
        tickets[tid]["events"].append((kind, _dt(at), actor, _json(data)))
    for tid, metric, outcome, ended in q("SELECT ticket_id, metric, outcome, ended_at FROM sla_clock "
                                         "WHERE outcome IN ('met', 'breached')"):
        tickets[tid]["clocks"].append((metric, outcome, _dt(ended)))
    for tid, at, kind, score, scale in q("SELECT ticket_id, at, kind, score, scale FROM survey"):
        tickets[tid]["surveys"].append((_dt(at), kind, score, scale))
    for tid, at, after in q("SELECT entity_id, at, after FROM audit WHERE entity = 'ticket' AND action = 'category' "
                            "ORDER BY id"):
        tickets[tid]["cats"].append((_dt(at), _json(after).get("category")))
    shifts = q("SELECT name, start, \"end\", tz, position FROM shift WHERE team = 'default' ORDER BY position")
    return {"tickets": tickets, "shifts": shifts}


def value_at(first, changes, when):
    """The value of the latest change at or before `when` (ties: the one recorded last)."""
    found = [(at, i, new) for i, (at, new) in enumerate(changes) if at <= when]
    return max(found, key=lambda c: (c[0], c[1]))[2] if found else first


def facts(rows: dict) -> list[dict]:
    """One dict per counted thing: kind, at, agent, channel, priority, category, value, created, sign."""
    tickets = rows["tickets"]
    top = {tid: t["category"].split("/")[0] for tid, t in tickets.items()}
    solves = defaultdict(list)  # (customer, top) -> [(at, tid)] of every solve transition
    for tid, t in tickets.items():  # a status event changes the solved state as it was recorded
        state = False
        for kind, at, _a, d in t["events"]:
            if kind == "status_changed":
                if d.get("to") in SOLVED and not state:
                    solves[(t["customer"], top[tid])].append((at, tid))
                state = d.get("to") in SOLVED
    out = []
    for tid, t in tickets.items():
        created_event = next(d for k, _at, _a, d in t["events"] if k == "created")
        c = t["created"]
        channel = created_event.get("channel") or t["channel"]
        prio_changes = [(at, d["to"]) for k, at, _a, d in t["events"] if k in ("priority_changed", "escalated")
                        and d.get("to")]
        holders = [(at, d.get("to")) for k, at, _a, d in t["events"] if k == "assigned"]
        first_cat = created_event.get("category") if created_event.get("category") is not None else t["category"]
        first_prio = created_event.get("priority") or t["priority"]

        def attrs(when, agent=None, channel=channel, first_prio=first_prio, prio_changes=prio_changes,
                  first_cat=first_cat, cats=t["cats"]):
            return {"agent": agent, "channel": channel, "priority": value_at(first_prio, prio_changes, when),
                    "category": value_at(first_cat, cats, when)}

        base = {"channel": channel, "priority": value_at(first_prio, prio_changes, c),
                "category": value_at(first_cat, t["cats"], c), "agent": None}
        peers = [(o, u) for o, u in tickets.items() if o != tid and u["customer"] == t["customer"] and top[o] == top[tid]]
        repeat = any(c - WINDOW <= at <= c and (tickets[o]["created"], o) < (c, tid)
                     for at, o in solves[(t["customer"], top[tid])] if o != tid)
        out.append({"kind": "received", "at": c, **base, "flag": int(repeat)})
        replies, reopens, state, last = 0, 0, False, None
        for kind, at, actor, d in t["events"]:
            if kind == "assigned" and d.get("to") is not None:
                out.append({"kind": "assigned", "at": at, "agent": d["to"]})
            elif kind == "agent_reply":
                replies += 1
                out.append({"kind": "replied", "at": at, "agent": actor})
                if replies == 1:
                    who = value_at(None, holders, at)
                    out.append({"kind": "frt", "at": at, **attrs(at, actor if who is None else who),
                                "value": max(int((at - c).total_seconds() // 1), 0)})
            elif kind == "status_changed":
                if d.get("to") in SOLVED and not state:
                    state, last = True, (at, replies, reopens)
                    out.append({"kind": "transition", "at": at, **base, "created": c, "sign": 1})
                elif d.get("to") not in SOLVED and state:
                    state, reopens = False, reopens + 1
                    out.append({"kind": "reopen", "at": at, **attrs(at)})
                    out.append({"kind": "transition", "at": at, **base, "created": c, "sign": -1})
        if state:
            at, r, before = last
            came_back = any(at < u["created"] <= at + WINDOW for _o, u in peers)
            out.append({"kind": "solve", "at": at, **attrs(at, value_at(None, holders, at)),
                        "value": max(int((at - c).total_seconds() // 1), 0),
                        "flag": int(r == 1 and before == 0 and not came_back)})
        for metric, outcome, ended in t["clocks"]:
            who = value_at(None, holders, ended)
            if who is None and outcome == "met" and metric != "resolution":
                who = next((a for k, at, a, _d in t["events"] if k == "agent_reply" and at == ended), None)
            out.append({"kind": f"{metric}_{outcome}", "at": ended, **attrs(ended, who)})
        for at, kind, score, scale in t["surveys"]:
            name = "nps" if kind == "nps" else ("csat10" if scale == 10 else "csat5")
            out.append({"kind": name, "at": at, **attrs(at, value_at(None, holders, at)), "value": score})
    return out


# -- the report's fields, from the facts --------------------------------------------------------------

AGENT_KINDS_ONLY = ("assigned", "replied")
NO_AGENT = ("received", "reopen", "transition")


def group_key(f: dict, by: str | None, tz: ZoneInfo, shifts) -> str | None:
    if by is None:
        return ""
    if by == "agent":
        return None if f["kind"] in NO_AGENT else ("" if f["agent"] is None else str(f["agent"]))
    if by in ("channel", "priority", "category"):
        return None if f["kind"] in AGENT_KINDS_ONLY else f[by]
    when = f["created"] if f["kind"] == "transition" else f["at"]
    local = when.astimezone(tz)
    if by == "hour":
        return f"{local.hour:02d}"
    minute = local.hour * 60 + local.minute
    for name, start, end, _tz, _pos in shifts:
        a, b = (int(x[:2]) * 60 + int(x[3:]) for x in (start, end))
        if (a <= minute < b) if a < b else (minute >= a or minute < b):
            return name
    return None


def nearest(values: list[int], p: int) -> int | None:
    if not values:
        return None
    values = sorted(values)
    return values[max(1, -(-p * len(values) // 100)) - 1]


def fields(fs: list[dict], solved_at_end: int) -> dict:
    by = defaultdict(list)
    for f in fs:
        by[f["kind"]].append(f)
    n = {k: len(v) for k, v in by.items()}
    ratio = lambda a, b: None if b == 0 else round(a / b, 4)  # noqa: E731
    received, solved = n.get("received", 0), n.get("solve", 0)
    contacts = received + n.get("reopen", 0)
    repeats = sum(f["flag"] for f in by["received"]) + n.get("reopen", 0)
    fcr = sum(f["flag"] for f in by["solve"])
    csat5, csat10, nps = by["csat5"], by["csat10"], by["nps"]
    happy = sum(f["value"] >= 4 for f in csat5) + sum(f["value"] >= 8 for f in csat10)
    out = {"received": received, "solved": solved, "resolution_rate": ratio(solved_at_end, received),
           "fcr": ratio(fcr, solved), "repeat_rate": ratio(repeats, contacts), "contacts": contacts,
           "repeat_contacts": repeats, "reopened": n.get("reopen", 0), "received_solved": solved_at_end,
           "solved_fcr": fcr, "assigned": n.get("assigned", 0), "replied": n.get("replied", 0)}
    met_all = breached_all = 0
    for metric in ("first_reply", "next_reply", "resolution"):
        met, breached = n.get(f"{metric}_met", 0), n.get(f"{metric}_breached", 0)
        met_all, breached_all = met_all + met, breached_all + breached
        out |= {f"{metric}_met": met, f"{metric}_breached": breached, f"{metric}_attainment": ratio(met, met + breached)}
    out["attainment"] = ratio(met_all, met_all + breached_all)
    for name, kind in (("frt", "frt"), ("res", "solve")):
        values = [f["value"] for f in by[kind]]
        out[f"{name}_median_s"], out[f"{name}_p90_s"] = nearest(values, 50), nearest(values, 90)
        out[f"{name}_mean_s"] = None if not values else round(sum(values) / len(values))
    out |= {"csat_responses": len(csat5) + len(csat10), "csat": ratio(happy, len(csat5) + len(csat10)),
            "csat5_responses": len(csat5), "csat10_responses": len(csat10),
            "csat_mean": ratio(sum(f["value"] for f in csat5), len(csat5)),
            "csat10_mean": ratio(sum(f["value"] for f in csat10), len(csat10)), "nps_responses": len(nps),
            "nps": None if not nps else round(100 * (sum(f["value"] >= 9 for f in nps)
                                                     - sum(f["value"] <= 6 for f in nps)) / len(nps), 1)}
    return out


def expected(rows: dict, start: datetime, end: datetime, by: str | None, tz: str) -> dict[str, dict]:
    zone = ZoneInfo(tz)
    groups: dict[str, list] = defaultdict(list)
    solved_at_end: dict[str, int] = defaultdict(int)
    for f in facts(rows):
        key = group_key(f, by, zone, rows["shifts"])
        if key is None:
            continue
        if f["kind"] == "transition":
            if start <= f["created"] < end and f["at"] < end:
                solved_at_end[key] += f["sign"]
            continue
        if start <= f["at"].replace(microsecond=0) < end:
            groups[key].append(f)
    return {k: fields(v, solved_at_end.get(k, 0)) for k, v in groups.items()}


PERCENTILES = ("frt_median_s", "frt_p90_s", "res_median_s", "res_p90_s")


def compare(report: dict, want: dict, where: str) -> None:
    for name, value in want.items():
        got = report[name]
        if name in PERCENTILES and value is not None:
            assert got is not None and abs(got - value) <= 0.01 * value, f"{where} {name}: {got} vs exact {value}"
        else:
            assert got == value, f"{where} {name}: report {got}, independent {value}"


# -- the data -----------------------------------------------------------------------------------------


def live_actions(db, seed: int) -> None:
    """Actions through the store on top of the demo: raises after due times, reopens, 1-10 surveys,
    instants a moment before the hour."""
    from store.tickets.actions import (
        Context,
        add_customer_message,
        add_reply,
        claim,
        escalate,
        record_survey,
        set_priority,
        set_status,
    )

    rng = random.Random(seed)
    with db.read() as s:
        ids = [r[0] for r in s.execute(text("SELECT id FROM ticket ORDER BY id"))]
        agents = [r[0] for r in s.execute(text("SELECT id FROM agent WHERE role = 'agent' ORDER BY id"))]
    at = NOW - timedelta(hours=6)
    for i in range(120):
        at += timedelta(seconds=rng.randint(20, 170))
        when = at.replace(minute=59, second=59, microsecond=999800) if i % 17 == 0 else at
        tid, who = rng.choice(ids), rng.choice(agents)
        step = rng.choice(("reply", "solve", "message", "claim", "raise", "escalate", "survey"))
        try:
            with db.write() as s:
                ctx = Context.open(s, min(when, NOW))
                if step == "reply":
                    add_reply(ctx, tid, who, "ok")
                elif step == "solve":
                    set_status(ctx, tid, who, "solved")
                elif step == "message":
                    add_customer_message(ctx, tid, "again")
                elif step == "claim":
                    claim(ctx, tid, who)
                elif step == "raise":
                    set_priority(ctx, tid, who, "urgent")
                elif step == "escalate":
                    escalate(ctx, tid, who, "needs a lead")
                else:
                    record_survey(ctx, tid, "csat", rng.randint(1, 10), scale=10)
        except Exception:  # a refused action (already claimed, solved twice): the next one goes on
            continue


@pytest.fixture
def demo_url(db_url: str):
    db = open_database(db_url)
    generate(db, DemoSpec(tickets=60, history=400, days=4, seed=11), NOW - timedelta(hours=6))
    live_actions(db, 5)
    db.dispose()
    previous = set_clock(FrozenClock(NOW))
    yield db_url
    set_clock(previous)


def report(url: str, *args: str) -> dict:
    result = runner.invoke(app, ["--db", url, "--lang", "en", "report", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


GROUPINGS = (None, "agent", "channel", "priority", "category", "hour", "shift")


def check_grouping(url: str, by: str | None) -> None:
    args = ["--from", "2026-03-07T10:30:00+00:00", "--to", "2026-03-10T08:45:00+05:45"]
    if by:
        args += ["--by", by]
    doc = report(url, *args)  # the report sweeps breaches first: the checker reads after it
    db = open_database(url)
    with db.engine.connect() as conn:
        rows = load(conn)
    db.dispose()
    start, end = _dt(doc["from"].replace("Z", "+00:00")), _dt(doc["to"].replace("Z", "+00:00"))
    assert (start, end) == (datetime(2026, 3, 7, 10, 30, tzinfo=UTC), datetime(2026, 3, 10, 3, 0, tzinfo=UTC))
    want = expected(rows, start, end, by, doc["tz"])
    compare(doc["totals"], expected(rows, start, end, None, doc["tz"]).get("", fields([], 0)), "totals")
    if by is None:
        return
    got = {r["key"]: r for r in doc["rows"]}
    assert set(got) == set(want), (sorted(got), sorted(want))
    for key, values in want.items():
        compare(got[key], values, f"{by}={key}")
    assert sum(v["received"] for v in want.values()) == doc["totals"]["received"] or by == "agent"


@pytest.mark.slow
def test_every_field_agrees_with_an_independent_recomputation(demo_url: str):
    """Every grouping on one database (built once: it is the slow part); each failure is named."""
    failures = []
    for by in GROUPINGS:
        try:
            check_grouping(demo_url, by)
        except AssertionError as exc:
            failures.append(f"--by {by or '(none)'}: {exc}")
    assert not failures, "\n\n".join(failures)
