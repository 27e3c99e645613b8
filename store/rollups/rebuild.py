"""Rebuild the facts and rollups from history, and check the live ones against a rebuild.

The facts are computed by the same function the live hooks use (store/rollups/facts.py), a range
of ticket ids at a time against every customer's peers read once, and written to `figure_fact`; the rollups are then summed from the
facts in SQL, by integer arithmetic on whole seconds (no date functions: SQLite's
`strftime('%s')` rounded 10:59:59.9998 into the next hour, the live path rounds down).
Used by the migration, the demo generator's last step, `shiftdesk db rebuild-rollups` and
`shiftdesk db check`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, insert, text
from sqlalchemy.engine import Connection
from sqlmodel import Session

from store.audit import record_audit
from store.models import FigureFact, TeamSetting
from store.rollups import history
from store.rollups.facts import (
    AGENT_ONLY,
    CONTRIB,
    FLAG,
    HIST_KINDS,
    NO_AGENT,
    ONE,
    UNCOUNTED,
    VALUE,
    group_of,
    ticket_facts,
)
from store.rollups.hooks import (
    DIM_AGENT,
    DIM_ALL,
    DIM_CATEGORY,
    DIM_CHANNEL,
    DIM_PRIORITY,
    FACT_COLUMNS,
    GRAIN_QUARTER,
    GRAINS,
)
from store.rollups.metrics import COUNTERS
from store.team.permissions import require
from store.team.team_settings import REPEAT_WINDOW, check_window, format_window, repeat_window

Progress = Callable[[str, int, int], None]
TICKETS_PER_STEP = 5000
_FACTS = FigureFact.__table__  # type: ignore[attr-defined]
_SETTINGS = TeamSetting.__table__  # type: ignore[attr-defined]


def _what_sql(what: object) -> str:
    if what == ONE:
        return "1"
    if what == VALUE:
        return "value"
    if what == FLAG:
        return "flag"
    op, bound = what  # type: ignore[misc]
    return f"CASE WHEN value {op} {int(bound)} THEN 1 ELSE 0 END"


def _counter_sql(name: str) -> str:
    whens = [f"WHEN {kind} THEN {_what_sql(what)}" for kind, parts in sorted(CONTRIB.items())
             for counter, what in parts if counter == name]
    return f"SUM(CASE kind {' '.join(whens)} ELSE 0 END)" if whens else "0"


def _kinds(exclude: frozenset[int]) -> str:
    return ", ".join(str(k) for k in sorted(CONTRIB) if k not in exclude and k not in UNCOUNTED)


_DIM_SQL = {
    DIM_ALL: ("''", frozenset()),
    DIM_AGENT: ("CASE WHEN agent IS NULL THEN '' ELSE CAST(agent AS VARCHAR(20)) END", NO_AGENT),
    DIM_CHANNEL: ("COALESCE(channel, '')", AGENT_ONLY),
    DIM_PRIORITY: ("COALESCE(priority, '')", AGENT_ONLY),
    DIM_CATEGORY: ("COALESCE(category, '')", AGENT_ONLY),
}


def sum_rollups(conn: Connection) -> None:
    """Fill rollup_count and rollup_hist from figure_fact: quarter hours first, coarser grains from those."""
    names = ", ".join(COUNTERS)
    sums = ", ".join(_counter_sql(name) for name in COUNTERS)
    hist_kinds = ", ".join(str(k) for k in sorted(HIST_KINDS))
    hist_case = "CASE kind " + " ".join(f"WHEN {k} THEN {v}" for k, v in HIST_KINDS.items()) + " END"
    q = GRAINS[-1][1]
    for dim, (key, exclude) in _DIM_SQL.items():
        conn.execute(text(
            f"INSERT INTO rollup_count (grain, dim, bucket, key, {names}) "
            f"SELECT {GRAIN_QUARTER}, {dim}, b, k, {sums} FROM ("
            f"  SELECT at / {q} * {q} AS b, {key} AS k, kind, value, flag FROM figure_fact "
            f"  WHERE kind IN ({_kinds(exclude)})) AS f GROUP BY b, k"))
        if True:  # first reply and resolution times are counted under every dim
            conn.execute(text(
                f"INSERT INTO rollup_hist (grain, dim, kind, bucket, key, bin, n) "
                f"SELECT {GRAIN_QUARTER}, {dim}, h, b, k, bin, COUNT(*) FROM ("
                f"  SELECT {hist_case} AS h, at / {q} * {q} AS b, {key} AS k, bin FROM figure_fact "
                f"  WHERE kind IN ({hist_kinds})) AS f GROUP BY h, b, k, bin"))
    sum_cols = ", ".join(f"SUM({name})" for name in COUNTERS)
    for grain, size in GRAINS:
        if grain == GRAIN_QUARTER:
            continue
        conn.execute(text(
            f"INSERT INTO rollup_count (grain, dim, bucket, key, {names}) "
            f"SELECT {grain}, dim, bucket / {size} * {size}, key, {sum_cols} FROM rollup_count "
            f"WHERE grain = {GRAIN_QUARTER} GROUP BY dim, bucket / {size} * {size}, key"))
        conn.execute(text(
            f"INSERT INTO rollup_hist (grain, dim, kind, bucket, key, bin, n) "
            f"SELECT {grain}, dim, kind, bucket / {size} * {size}, key, bin, SUM(n) FROM rollup_hist "
            f"WHERE grain = {GRAIN_QUARTER} GROUP BY dim, kind, bucket / {size} * {size}, key, bin"))


def _insert_facts(conn: Connection, rows: list[tuple]) -> None:
    """Many fact rows at once through the driver (no per-row statement building)."""
    if not rows:
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    conn.exec_driver_sql(f"INSERT INTO figure_fact (ticket_id, {', '.join(FACT_COLUMNS)}) "
                         f"VALUES ({', '.join([mark] * (len(FACT_COLUMNS) + 1))})", rows)


def rebuild(conn: Connection, progress: Progress | None = None, *, window: int | None = None) -> int:
    """Empty the facts and rollups and refill them from ticket, ticket_event, sla_clock, survey and audit,
    with the team's repeat window unless told another; returns how many facts were written.

    Streamed: the customers' peers (when each ticket was created and solved) are read for the whole
    table first, then the tickets are walked by ranges of ids, each range's histories read at once
    and its facts decided by `ticket_facts`, the function the live hooks use, and written in bulk
    while (on SQLite) figure_fact's indexes are set aside and rebuilt once at the end."""
    if window is None:
        window = repeat_window(conn)
    for table in ("figure_fact", "rollup_count", "rollup_hist", "rollup_open"):
        conn.execute(text(f"DELETE FROM {table}"))
    # SQLite's WAL readers keep their snapshot whatever this transaction does; a PostgreSQL DROP INDEX
    # would lock out every reader (the panel) until the commit, so there the indexes stay.
    aside = list(_FACTS.indexes) if conn.dialect.name == "sqlite" else []
    for index in aside:
        index.drop(conn)
    groups = history.all_peers(conn)
    lo, hi = conn.execute(text("SELECT MIN(id), MAX(id) FROM ticket")).one()
    starts = list(range(lo, hi + 1, TICKETS_PER_STEP)) if lo is not None else []
    written = 0
    for i, start in enumerate(starts):
        rows = [(h.id, *fact) for h in history.load_between(conn, start, start + TICKETS_PER_STEP)
                for fact in ticket_facts(h, groups[group_of(h.customer_id, h.category)], window)]
        _insert_facts(conn, rows)
        written += len(rows)
        if progress:
            progress("facts", i + 1, len(starts))
    for index in aside:
        index.create(conn)
    sum_rollups(conn)
    is_open = "is_open" if conn.dialect.name == "postgresql" else "is_open = 1"
    conn.execute(text(f"INSERT INTO rollup_open (priority, status, n) "
                      f"SELECT priority, status, COUNT(*) FROM ticket WHERE {is_open} GROUP BY priority, status"))
    if progress:
        progress("rollups", 1, 1)
    return written


# -- the team's repeat window ---------------------------------------------------------------------


def change_repeat_window(session: Session, at: datetime, actor_id: int | None, seconds: int,
                         progress: Progress | None = None) -> int | None:
    """Set the team's repeat-contact window (supervisors only, audited) and recompute every fact and
    rollup with it, in the caller's transaction: the facts already recorded were counted with the old
    window, and a mix of the two would make `db check` differ. Returns the facts written (0 when the
    window is unchanged: nothing is recomputed)."""
    require(session, actor_id, "supervisor", "policy set --repeat-window")
    check_window(seconds)
    conn = session.connection()
    before = repeat_window(conn)
    if before == seconds:
        return None
    conn.execute(delete(_SETTINGS).where(_SETTINGS.c.name == REPEAT_WINDOW))
    conn.execute(insert(_SETTINGS).values(name=REPEAT_WINDOW, value=str(seconds), updated_at=at))
    record_audit(session, at, actor_id, "team_setting", None, "repeat_window",
                 {"repeat_window": format_window(before)}, {"repeat_window": format_window(seconds)})
    return rebuild(conn, progress, window=seconds)


# -- checking ----------------------------------------------------------------------------------------


@dataclass
class Difference:
    table: str
    key: tuple
    field: str
    live: object
    rebuilt: object


@dataclass
class CheckResult:
    fields: int = 0  # fields compared (rows x counters)
    differences: list[Difference] = field(default_factory=list)
    facts_live: int = 0
    facts_rebuilt: int = 0
    facts_differ: int = 0

    @property
    def ok(self) -> bool:
        return not self.differences and self.facts_differ == 0


_TABLES = {
    "rollup_count": (("grain", "dim", "bucket", "key"), COUNTERS),
    "rollup_hist": (("grain", "dim", "kind", "bucket", "key", "bin"), ("n",)),
    "rollup_open": (("priority", "status"), ("n",)),
}
_FACT_KEY = ("ticket_id", *FACT_COLUMNS)


def _rows(conn: Connection, table: str) -> dict[tuple, tuple]:
    key, values = _TABLES[table]
    nonzero = " OR ".join(f"{v} != 0" for v in values)
    return {tuple(r[:len(key)]): tuple(r[len(key):]) for r in conn.execute(text(
        f"SELECT {', '.join(key)}, {', '.join(values)} FROM {table} WHERE {nonzero}"))}


def _facts(conn: Connection) -> dict[tuple, int]:
    cols = ", ".join(_FACT_KEY)
    return {tuple(r[:-1]): r[-1] for r in conn.execute(text(f"SELECT {cols}, COUNT(*) FROM figure_fact GROUP BY {cols}"))}


def check(conn: Connection, progress: Progress | None = None, *, window: int | None = None) -> CheckResult:
    """Compare the live facts and rollups with a rebuild from history. The rebuild is done in place:
    the caller runs this inside a transaction and rolls it back."""
    live = {table: _rows(conn, table) for table in _TABLES}
    live_facts = _facts(conn)
    rebuild(conn, progress, window=window)
    result = CheckResult()
    for table, (_key, values) in _TABLES.items():
        rebuilt = _rows(conn, table)
        zero = (0,) * len(values)
        for key in sorted(set(live[table]) | set(rebuilt), key=repr):
            a, b = live[table].get(key, zero), rebuilt.get(key, zero)
            result.fields += len(values)
            for name, x, y in zip(values, a, b, strict=True):
                if x != y:
                    result.differences.append(Difference(table, key, name, x, y))
    rebuilt_facts = _facts(conn)
    result.facts_live, result.facts_rebuilt = sum(live_facts.values()), sum(rebuilt_facts.values())
    result.facts_differ = sum(abs(live_facts.get(k, 0) - rebuilt_facts.get(k, 0))
                              for k in set(live_facts) | set(rebuilt_facts))
    return result
