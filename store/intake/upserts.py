"""Counter upserts gathered during a bulk import and written once per row at the end.

The rollup hooks add to counters with `INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n`.
Additions commute, so a bulk import may sum them per row and write each row once; only
statements that are provably such pure additions are gathered (no RETURNING, no WHERE on
the update, every inserted non-key column added to itself and nothing else); anything else
runs at once, after the gathered rows of its tables have been written.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Table
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BinaryExpression, BindParameter
from sqlalchemy.sql.schema import Column


class _Done:
    """Stands for the result of a gathered statement, which nobody reads."""

    rowcount = 1


def _plain(value: Any) -> Any:
    return value.effective_value if isinstance(value, BindParameter) else value


def _rows(stmt: Any) -> list[dict[str, Any]] | None:
    if stmt._multi_values:
        if len(stmt._multi_values) != 1:
            return None
        rows = stmt._multi_values[0]
    elif stmt._values:
        rows = [stmt._values]
    else:
        return None
    out = []
    for row in rows:
        if not isinstance(row, dict):
            return None
        out.append({(k.name if isinstance(k, Column) else str(k)): _plain(v) for k, v in row.items()})
    return out


def additive(stmt: Any) -> tuple[Table, list[str], list[dict[str, Any]]] | None:
    """(table, key columns, rows) when a statement is a pure additive upsert, else None."""
    clause = getattr(stmt, "_post_values_clause", None)
    if clause is None or type(clause).__name__ != "OnConflictDoUpdate" or getattr(stmt, "_returning", ()):
        return None
    if clause.update_whereclause is not None or getattr(stmt, "select", None) is not None:
        return None
    table = stmt.table
    if not isinstance(table, Table):
        return None
    keys = [c.name for c in table.primary_key.columns]
    target = [getattr(t, "name", t) for t in (clause.inferred_target_elements or [])]
    if sorted(target) != sorted(keys):
        return None
    rows = _rows(stmt)
    if not rows:
        return None
    setters = dict(clause.update_values_to_set)
    for name, expr in setters.items():
        if not (isinstance(expr, BinaryExpression) and expr.operator is operators.add
                and getattr(expr.left, "table", None) is table and getattr(expr.left, "name", None) == name
                and getattr(getattr(expr.right, "table", None), "name", None) == "excluded"
                and getattr(expr.right, "name", None) == name):
            return None
    for row in rows:
        counters = set(row) - set(keys)
        if set(keys) - set(row) or counters != set(setters) or not all(isinstance(row[c], int) for c in counters):
            return None
    return table, keys, rows


class Gathered:
    """Sums of additive upserts per table and key, until written."""

    def __init__(self) -> None:
        self.pending: dict[Table, dict[tuple, dict[str, int]]] = defaultdict(dict)
        self.statements: dict[Table, Any] = {}

    def take(self, stmt: Any) -> Any:
        """Gather a pure additive upsert (returns a stand-in result) or return None."""
        found = additive(stmt)
        if found is None:
            return None
        table, keys, rows = found
        self.statements.setdefault(table, type(stmt))
        sums = self.pending[table]
        for row in rows:
            key = tuple(row[k] for k in keys)
            current = sums.setdefault(key, {})
            for name, value in row.items():
                if name not in keys:
                    current[name] = current.get(name, 0) + value
        return _Done()

    def tables(self) -> set[str]:
        return {t.name for t, sums in self.pending.items() if sums}

    def write(self, session: Any, only: set[str] | None = None) -> None:
        """One executemany per table: every gathered row, added to whatever is there."""
        for table, sums in list(self.pending.items()):
            if not sums or (only is not None and table.name not in only):
                continue
            keys = [c.name for c in table.primary_key.columns]
            counters = sorted({name for values in sums.values() for name in values})
            rows = [{**dict(zip(keys, key, strict=True)), **{c: values.get(c, 0) for c in counters}}
                    for key, values in sums.items()]
            insert = self.statements[table](table)
            stmt = insert.on_conflict_do_update(index_elements=keys,
                                                set_={c: table.c[c] + insert.excluded[c] for c in counters})
            session.execute(stmt, rows)
            self.pending[table] = {}
