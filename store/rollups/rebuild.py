"""Rebuild the rollup tables from the history, in SQL: the migration's backfill, the demo
generator's last step, and the repair for a database written around the hooks.

History is attributed the way the hooks attribute it, read from the tickets as they stand:
a ticket's current priority and assignee stand for those it had when it was solved, first
replied to or surveyed (exact for the demo data; an approximation only for tickets whose
priority or owner changed after the fact, and only for figures from before the upgrade).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

from store.rollups.hooks import (
    DIM_AGENT,
    DIM_ALL,
    DIM_CATEGORY,
    DIM_CHANNEL,
    DIM_PRIORITY,
    GRAIN_HOUR,
    GRAINS,
)
from store.rollups.metrics import COUNTERS, EDGES, OVERFLOW_BIN, REPEAT_WINDOW_SECONDS, coarse_bin

SOLVED = "('solved', 'closed')"
# Who held a ticket at its first reply: its assignee, or the agent who replied to it unassigned.
FIRST_HOLDER = ("COALESCE(t.assignee_id, (SELECT r.actor_id FROM ticket_event AS r WHERE r.ticket_id = t.id "
                "AND r.kind = 'agent_reply' ORDER BY r.id LIMIT 1))")
_DIM_COLUMNS = {DIM_ALL: None, DIM_AGENT: "agent", DIM_CHANNEL: "channel", DIM_PRIORITY: "priority",
                DIM_CATEGORY: "category"}


def epoch_sql(dialect: str, column: str) -> str:
    if dialect == "postgresql":
        return f"CAST(FLOOR(EXTRACT(EPOCH FROM {column})) AS BIGINT)"
    return f"CAST(strftime('%s', {column}) AS INTEGER)"


def json_int_sql(dialect: str, column: str, field: str) -> str:
    if dialect == "postgresql":
        return f"CAST(({column})->>'{field}' AS BIGINT)"
    return f"CAST(json_extract({column}, '$.{field}') AS INTEGER)"


def _bin(expr: str, lo: int = 0, hi: int = len(EDGES)) -> str:
    """metrics.bin_of in SQL, as a balanced tree of CASEs: eight comparisons a row, not 150."""
    if lo >= hi:
        return str(lo)
    mid = (lo + hi) // 2
    return f"CASE WHEN {expr} <= {EDGES[mid]} THEN {_bin(expr, lo, mid)} ELSE {_bin(expr, mid + 1, hi)} END"


def _coarse_case(expr: str) -> str:
    """SQL for metrics.coarse_bin over a fine bin index."""
    groups: dict[int, list[int]] = {}
    for index in range(len(EDGES) + 1):
        groups.setdefault(coarse_bin(index), []).append(index)
    whens = " ".join(f"WHEN {expr} <= {max(members)} THEN {target}" for target, members in sorted(groups.items()))
    return f"CASE {whens} ELSE {OVERFLOW_BIN} END"


def _fact_sources(dialect: str) -> list[tuple[str, dict[str, str]]]:
    """(select producing hour, agent, channel, priority, category + some counters, {counter: expr})."""
    ep = lambda c: epoch_sql(dialect, c)  # noqa: E731
    received = f"""
        SELECT {ep('created_at')} / 3600 * 3600 AS hour, CAST(NULL AS BIGINT) AS agent, channel, priority, category,
               CASE WHEN status IN {SOLVED} THEN 1 ELSE 0 END AS solved_now,
               CASE WHEN {ep('created_at')} - {ep('prev_at')} <= {REPEAT_WINDOW_SECONDS} THEN 1 ELSE 0 END AS rep
        FROM (SELECT created_at, channel, priority, category, status,
                     LAG(created_at) OVER (PARTITION BY customer_id ORDER BY created_at, id) AS prev_at
              FROM ticket) AS t"""
    assigned = f"""
        SELECT {ep('at')} / 3600 * 3600 AS hour, {json_int_sql(dialect, 'data', 'to')} AS agent,
               CAST(NULL AS VARCHAR) AS channel, CAST(NULL AS VARCHAR) AS priority, CAST(NULL AS VARCHAR) AS category
        FROM ticket_event WHERE kind = 'assigned' AND {json_int_sql(dialect, 'data', 'to')} IS NOT NULL"""
    replied = f"""
        SELECT {ep('at')} / 3600 * 3600 AS hour, COALESCE(actor_id, 0) AS agent,
               CAST(NULL AS VARCHAR) AS channel, CAST(NULL AS VARCHAR) AS priority, CAST(NULL AS VARCHAR) AS category
        FROM ticket_event WHERE kind = 'agent_reply'"""
    solved = f"""
        SELECT {ep('solved_at')} / 3600 * 3600 AS hour, COALESCE(assignee_id, 0) AS agent, channel, priority,
               category, CASE WHEN reply_count = 1 AND reopen_count = 0 THEN 1 ELSE 0 END AS fcr,
               {ep('solved_at')} - {ep('created_at')} AS secs
        FROM ticket WHERE status IN {SOLVED} AND solved_at IS NOT NULL"""
    frt = f"""
        SELECT {ep('first_reply_at')} / 3600 * 3600 AS hour, COALESCE({FIRST_HOLDER}, 0) AS agent, channel,
               priority, category, {ep('first_reply_at')} - {ep('created_at')} AS secs
        FROM ticket AS t WHERE first_reply_at IS NOT NULL"""
    clocks = f"""
        SELECT {ep('c.ended_at')} / 3600 * 3600 AS hour, COALESCE(c.agent_id, 0) AS agent, t.channel,
               t.priority, t.category, c.metric, c.outcome
        FROM sla_clock AS c JOIN ticket AS t ON t.id = c.ticket_id
        WHERE c.outcome IN ('met', 'breached') AND c.ended_at IS NOT NULL"""
    surveys = f"""
        SELECT {ep('s.at')} / 3600 * 3600 AS hour, COALESCE(t.assignee_id, 0) AS agent, t.channel, t.priority,
               t.category, s.kind, s.score
        FROM survey AS s JOIN ticket AS t ON t.id = s.ticket_id"""

    def sla(metric: str, outcome: str) -> str:
        return f"SUM(CASE WHEN metric = '{metric}' AND outcome = '{outcome}' THEN 1 ELSE 0 END)"

    return [
        (received, {"received": "COUNT(*)", "repeat_contact": "SUM(rep)", "received_solved": "SUM(solved_now)"}),
        (assigned, {"assigned": "COUNT(*)"}),
        (replied, {"replied": "COUNT(*)"}),
        (solved, {"solved": "COUNT(*)", "solved_fcr": "SUM(fcr)", "res_sum": "SUM(secs)"}),
        (frt, {"frt_n": "COUNT(*)", "frt_sum": "SUM(secs)"}),
        (clocks, {"fr_met": sla("first_reply", "met"), "fr_breached": sla("first_reply", "breached"),
                  "nr_met": sla("next_reply", "met"), "nr_breached": sla("next_reply", "breached"),
                  "rs_met": sla("resolution", "met"), "rs_breached": sla("resolution", "breached")}),
        (surveys, {"csat_n": "SUM(CASE WHEN kind = 'csat' THEN 1 ELSE 0 END)",
                   "csat_pos": "SUM(CASE WHEN kind = 'csat' AND score >= 4 THEN 1 ELSE 0 END)",
                   "nps_n": "SUM(CASE WHEN kind = 'nps' THEN 1 ELSE 0 END)",
                   "nps_pro": "SUM(CASE WHEN kind = 'nps' AND score >= 9 THEN 1 ELSE 0 END)",
                   "nps_det": "SUM(CASE WHEN kind = 'nps' AND score <= 6 THEN 1 ELSE 0 END)"}),
    ]


_DIMS = "hour, agent, channel, priority, category"


def _by(key: str) -> str:
    """`, key` for a GROUP BY, nothing for a constant key (PostgreSQL refuses to group by '')."""
    return "" if key == "''" else f", {key}"


def _key_expr(dim: int) -> str:
    column = _DIM_COLUMNS[dim]
    if column is None:
        return "''"
    if column == "agent":
        return "CASE WHEN agent = 0 THEN '' ELSE CAST(agent AS VARCHAR(20)) END"
    return column


def _fill_counts(conn: Connection, dialect: str) -> None:
    counters = ", ".join(f"{name} BIGINT NOT NULL DEFAULT 0" for name in COUNTERS)
    conn.execute(text(f"CREATE TEMP TABLE rollup_fact (hour BIGINT, agent BIGINT, channel VARCHAR(16), "
                      f"priority VARCHAR(16), category VARCHAR(128), {counters})"))
    for source, exprs in _fact_sources(dialect):
        names = ", ".join(exprs)
        values = ", ".join(exprs.values())
        conn.execute(text(f"INSERT INTO rollup_fact ({_DIMS}, {names}) "
                          f"SELECT {_DIMS}, {values} FROM ({source}) AS src GROUP BY {_DIMS}"))
    sums = ", ".join(f"SUM({name})" for name in COUNTERS)
    names = ", ".join(COUNTERS)
    for dim, column in _DIM_COLUMNS.items():
        where = f"WHERE {column} IS NOT NULL" if column else ""
        key = _key_expr(dim)
        conn.execute(text(
            f"INSERT INTO rollup_count (grain, dim, bucket, key, {names}) "
            f"SELECT {GRAIN_HOUR}, {dim}, hour, {key}, {sums} FROM rollup_fact {where} GROUP BY hour{_by(key)}"))
    conn.execute(text("DROP TABLE rollup_fact"))


def _fill_hist(conn: Connection, dialect: str) -> None:
    ep = lambda c: epoch_sql(dialect, c)  # noqa: E731
    conn.execute(text("CREATE TEMP TABLE rollup_hist_fact (hour BIGINT, agent BIGINT, channel VARCHAR(16), "
                      "priority VARCHAR(16), category VARCHAR(128), kind INTEGER, bin INTEGER, n BIGINT)"))
    sources = (
        (0, "first_reply_at", FIRST_HOLDER, "first_reply_at IS NOT NULL"),
        (1, "solved_at", "assignee_id", f"status IN {SOLVED} AND solved_at IS NOT NULL"),
    )
    for kind, column, agent, where in sources:
        conn.execute(text(
            f"INSERT INTO rollup_hist_fact ({_DIMS}, kind, bin, n) "
            f"SELECT {_DIMS}, {kind}, bin, COUNT(*) FROM ("
            f"  SELECT {_DIMS}, {_bin('secs')} AS bin FROM ("
            f"    SELECT {ep(column)} / 3600 * 3600 AS hour, COALESCE({agent}, 0) AS agent, channel, priority, "
            f"    category, {ep(column)} - {ep('created_at')} AS secs FROM ticket AS t WHERE {where}) AS src"
            f") AS binned GROUP BY {_DIMS}, bin"))
    for dim in _DIM_COLUMNS:
        key = _key_expr(dim)
        index = "bin" if dim == DIM_ALL else _coarse_case("bin")
        conn.execute(text(
            f"INSERT INTO rollup_hist (grain, dim, kind, bucket, key, bin, n) "
            f"SELECT {GRAIN_HOUR}, {dim}, kind, hour, k, b, SUM(n) FROM ("
            f"  SELECT kind, hour, {key} AS k, {index} AS b, n FROM rollup_hist_fact) AS f "
            f"GROUP BY kind, hour, k, b"))
    conn.execute(text("DROP TABLE rollup_hist_fact"))


def fill_coarser(conn: Connection, *, grain: int, size: int) -> None:
    """Rows of a coarser grain (days, four-hour blocks) summed from the hourly rows."""
    sums = ", ".join(f"SUM({name})" for name in COUNTERS)
    names = ", ".join(COUNTERS)
    for table in ("rollup_count", "rollup_hist"):
        conn.execute(text(f"DELETE FROM {table} WHERE grain = {grain}"))
    conn.execute(text(
        f"INSERT INTO rollup_count (grain, dim, bucket, key, {names}) "
        f"SELECT {grain}, dim, bucket / {size} * {size}, key, {sums} FROM rollup_count WHERE grain = {GRAIN_HOUR} "
        f"GROUP BY dim, bucket / {size} * {size}, key"))
    conn.execute(text(
        f"INSERT INTO rollup_hist (grain, dim, kind, bucket, key, bin, n) "
        f"SELECT {grain}, dim, kind, bucket / {size} * {size}, key, bin, SUM(n) FROM rollup_hist "
        f"WHERE grain = {GRAIN_HOUR} GROUP BY dim, kind, bucket / {size} * {size}, key, bin"))


def rebuild(conn: Connection) -> None:
    """Empty the rollups and refill them from ticket, ticket_event, sla_clock and survey."""
    dialect = conn.dialect.name
    for table in ("rollup_count", "rollup_hist", "rollup_open"):
        conn.execute(text(f"DELETE FROM {table}"))
    _fill_counts(conn, dialect)
    _fill_hist(conn, dialect)
    for grain, size in GRAINS:
        if grain != GRAIN_HOUR:
            fill_coarser(conn, grain=grain, size=size)
    is_open = "is_open" if dialect == "postgresql" else "is_open = 1"
    conn.execute(text(f"INSERT INTO rollup_open (priority, status, n) "
                      f"SELECT priority, status, COUNT(*) FROM ticket WHERE {is_open} GROUP BY priority, status"))
