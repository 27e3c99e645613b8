"""A session for importing new tickets in bulk: the real ticket actions run against it, their
rows collect in memory, and each table's rows are then written with one executemany.

Through the ORM, every action costs several flushes and queries; a file of 10,000 records
would take minutes. The actions ask a session to add, get, flush, and run simple selects
(a ticket's clocks and events, a count of a customer's tickets). This session holds the
tables a new ticket's history lives in and answers those selects itself, adding what the
database already holds where the answer could include older rows, so the actions, the SLA
engine's decisions and the hooks they call (rollups) are exactly those of live intake.
Statements about tables it does not hold (the rollup counters) go straight to the real
session. It is a real `Session` so that `object_session(row)` finds it. Anything it cannot
answer exactly it refuses (NotImplementedError), and the writer then takes the ORM path.
Primary keys are handed out past each table's maximum while the write lock is held;
PostgreSQL's sequences are moved past them afterwards.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm.attributes import InstrumentedAttribute
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import (
    BinaryExpression,
    BindParameter,
    BooleanClauseList,
    Null,
    UnaryExpression,
)
from sqlalchemy.sql.functions import count as count_function
from sqlalchemy.sql.util import find_tables
from sqlmodel import Session, SQLModel

from store.intake.upserts import Gathered

_COMPARE = {
    operators.eq: operator.eq, operators.ne: operator.ne, operators.lt: operator.lt, operators.le: operator.le,
    operators.gt: operator.gt, operators.ge: operator.ge,
}
# Columns no action changes once a row exists (a row's ticket, a ticket's customer), so rows
# can be found by them without scanning; every candidate is still checked against the WHERE.
INDEXED = ("ticket_id", "customer_id")
_REFUSED = ("query", "merge", "delete", "refresh", "connection", "commit", "begin", "begin_nested", "expire",
            "expire_all", "bulk_save_objects", "bulk_insert_mappings", "bulk_update_mappings", "scalar")


def _refuse(name: str):
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"intake memory session: {name}() is not supported")
    return method


class _Rows:
    """What `exec(...)` returns, for the calls the actions make on it."""

    def __init__(self, rows: list[Any]) -> None:
        self._rows = rows

    def all(self) -> list[Any]:
        return list(self._rows)

    def first(self) -> Any:
        return self._rows[0] if self._rows else None

    def one(self) -> Any:
        if len(self._rows) != 1:
            raise ValueError(f"expected one row, found {len(self._rows)}")
        return self._rows[0]

    def __iter__(self):
        return iter(self._rows)


def _value(clause: Any) -> Any:
    if isinstance(clause, Null):
        return None
    if isinstance(clause, BindParameter):
        return clause.effective_value
    raise NotImplementedError(f"intake memory session: cannot evaluate {clause!r}")


def _terms(where: Any) -> list[Any]:
    if where is None:
        return []
    if isinstance(where, BooleanClauseList) and where.operator is operators.and_:
        return [t for c in where.clauses for t in _terms(c)]
    return [where]


def _matches(obj: Any, terms: list[Any]) -> bool:
    for clause in terms:
        if not isinstance(clause, BinaryExpression) or not hasattr(clause.left, "key"):
            raise NotImplementedError(f"intake memory session: cannot evaluate {clause}")
        left, right, op = getattr(obj, clause.left.key), _value(clause.right), clause.operator
        if op is operators.is_:
            ok = left is right
        elif op is operators.is_not:
            ok = left is not right
        elif op is operators.in_op:
            ok = left in right
        elif op is operators.not_in_op:
            ok = left is not None and left not in right
        elif op in _COMPARE:
            ok = left is not None and right is not None and bool(_COMPARE[op](left, right))
        else:
            raise NotImplementedError(f"intake memory session: cannot evaluate {clause}")
        if not ok:
            return False
    return True


class MemorySession(Session):
    """Holds new rows in memory; answers the ticket actions' questions; writes it all at the end."""

    def __init__(self, real: Session, tables: tuple[type[SQLModel], ...]) -> None:
        super().__init__(bind=real.get_bind(), autoflush=False, expire_on_commit=False)
        self.real = real
        self.models = {model.__table__.name: model for model in tables}  # type: ignore[attr-defined]
        self.rows: dict[type, list[Any]] = defaultdict(list)
        self.index: dict[tuple[type, int], Any] = {}
        # The actions ask about one ticket (or customer) at a time: without this every select
        # would scan every row held.
        self.by_value: dict[tuple[type, str, Any], list[Any]] = defaultdict(list)
        self.first_id: dict[type, int] = {}
        for model in tables:
            table = model.__table__  # type: ignore[attr-defined]
            self.first_id[model] = int(real.execute(select(func.max(table.c.id))).scalar() or 0) + 1
        self.next_id = dict(self.first_id)
        self.gathered = Gathered()
        self.ticket_model = self.models.get("ticket")

    # -- what the actions call ------------------------------------------------------------------

    def add(self, instance: Any, _warn: bool = True) -> None:
        model = type(instance)
        if model not in self.first_id:
            self.real.add(instance)  # a table this session does not hold is the real session's business
            return
        if instance in self:
            return
        if instance.id is None:
            instance.id = self.next_id[model]
            self.next_id[model] += 1
        super().add(instance, _warn=_warn)
        self.rows[model].append(instance)
        self.index[(model, instance.id)] = instance
        for column in INDEXED:
            if hasattr(instance, column):
                self.by_value[(model, column, getattr(instance, column))].append(instance)

    def get(self, entity: Any, ident: Any, **_options: Any) -> Any:  # type: ignore[override]
        """A row by key; locking options mean nothing here (the write lock is already held)."""
        if entity in self.first_id:
            found = self.index.get((entity, ident))
            if found is not None or ident >= self.first_id[entity]:
                return found
        return self.real.get(entity, ident)

    def flush(self, objects: Any = None) -> None:
        """Nothing to do: ids are handed out on add."""

    def exec(self, statement: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        held = self._touches(statement)
        if not held:
            return self.real.exec(statement, **kwargs)
        return _Rows(self._select(statement, held))

    def execute(self, statement: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if not args and not kwargs and getattr(statement, "is_dml", False):
            done = self.gathered.take(statement)  # additions commute: no need to write earlier ones first
            if done is not None:
                return done
        if self._touches(statement):
            raise NotImplementedError("intake memory session: selects on held tables go through exec()")
        return self.real.execute(statement, *args, **kwargs)

    def scalars(self, statement: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        held = self._touches(statement)
        if not held:
            return self.real.scalars(statement, *args, **kwargs)
        return _Rows(self._select(statement, held))

    def held_rows(self, model: type, column: str, value: Any) -> list[Any] | None:
        """Every row of `model` whose ticket_id is `value`, when they can only be here: rows of a
        ticket this session created. None: ask with a statement."""
        if column != "ticket_id" or model not in self.first_id or self.ticket_model is None:
            return None
        if not isinstance(value, int) or value < self.first_id[self.ticket_model]:
            return None
        return list(self.by_value.get((model, column, value), ()))

    def get_bind(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        return self.real.get_bind(*args, **kwargs)

    # -- answering selects ------------------------------------------------------------------------

    def _touches(self, statement: Any) -> set[str]:
        """The held tables a statement involves; raises for one it cannot answer exactly."""
        if not (getattr(statement, "is_select", False) or getattr(statement, "is_dml", False)):
            raise NotImplementedError(f"intake memory session: cannot analyse {type(statement).__name__}")
        names = {t.name for t in find_tables(statement, check_columns=True, include_crud=True)
                 if getattr(t, "name", None)}
        held = names & set(self.models)
        if held and (names - held or not statement.is_select):
            raise NotImplementedError(f"intake memory session: {statement} mixes or writes held tables")
        waiting = names & self.gathered.tables()
        if waiting:
            self.gathered.write(self.real, waiting)  # whoever looks at gathered counters sees them whole
        return held

    def _only_new(self, model: type, terms: list[Any]) -> bool:
        """True when the WHERE pins rows to new tickets or new ids, which the database cannot hold."""
        for term in terms:
            if not isinstance(term, BinaryExpression) or not isinstance(term.right, BindParameter):
                continue
            key, value = getattr(term.left, "key", None), term.right.effective_value
            if key == "ticket_id" and term.operator is operators.eq and self.ticket_model is not None:
                return isinstance(value, int) and value >= self.first_id[self.ticket_model]
            if key == "id" and term.operator is operators.eq:
                return isinstance(value, int) and value >= self.first_id[model]
            if key == "id" and term.operator is operators.in_op:
                return all(isinstance(v, int) and v >= self.first_id[model] for v in value)
        return False

    def _select(self, statement: Any, held: set[str]) -> list[Any]:
        if statement._offset is not None or statement._group_by_clauses or statement._distinct \
                or statement._having_criteria:
            raise NotImplementedError("intake memory session: no OFFSET, GROUP BY, DISTINCT or HAVING")
        if len(held) != 1:
            raise NotImplementedError("intake memory session: one held table per select")
        model = self.models[next(iter(held))]
        described = statement.column_descriptions
        terms = _terms(statement.whereclause)
        pool = self.rows[model]
        for term in terms:
            key = getattr(term.left, "key", None) if isinstance(term, BinaryExpression) else None
            if key in INDEXED and term.operator is operators.eq:
                pool = self.by_value.get((model, key, _value(term.right)), [])
                break
        mine = [o for o in pool if _matches(o, terms)]
        theirs = [] if self._only_new(model, terms) else self.real.exec(statement).all()
        if len(described) == 1 and _is_count_star(described[0]["expr"]):
            return [len(mine) + (theirs[0] if theirs else 0)]
        columns = self._columns(described, model)
        for clause in reversed(statement._order_by_clauses):
            descending = isinstance(clause, UnaryExpression) and clause.modifier is operators.desc_op
            element = clause.element if isinstance(clause, UnaryExpression) else clause
            key = getattr(element, "key", None)
            if key is None:
                raise NotImplementedError(f"intake memory session: cannot order by {clause}")
            mine.sort(key=lambda o, k=key: (getattr(o, k) is not None, getattr(o, k)), reverse=descending)
        if theirs and (statement._order_by_clauses or statement._limit is not None):
            if columns is not None or statement._order_by_clauses:
                raise NotImplementedError("intake memory session: cannot merge ordered rows with the database's")
        rows = theirs + (mine if columns is None else [_project(o, columns) for o in mine])
        return rows if statement._limit is None else rows[: statement._limit]

    def _columns(self, described: list[dict], model: type) -> list[str] | None:
        """None for whole rows; else the column names selected (all of the held model)."""
        if len(described) == 1 and described[0]["expr"] is model:
            return None
        names = []
        for item in described:
            expr = item["expr"]
            if not isinstance(expr, InstrumentedAttribute) or expr.class_ is not model:
                raise NotImplementedError(f"intake memory session: cannot select {expr}")
            names.append(expr.key)
        return names

    # -- writing it all ---------------------------------------------------------------------------

    def write(self) -> int:
        """Insert every collected row, parents first; returns how many rows were written."""
        stray = [o for o in self.real.new if type(o) in self.first_id]
        if stray:  # rows for held tables went to the real session meanwhile: their ids would collide
            raise NotImplementedError(f"intake memory session: {len(stray)} row(s) added around it")
        collected = {model: list(rows) for model, rows in self.rows.items()}
        self.expunge_all()
        written = 0
        for table in SQLModel.metadata.sorted_tables:
            model = self.models.get(table.name)
            if model is None or not collected.get(model):
                continue
            names = [c.name for c in table.columns]
            self.real.execute(insert(table), [{n: getattr(o, n) for n in names} for o in collected[model]])
            written += len(collected[model])
            if self.real.get_bind().dialect.name == "postgresql":
                self.real.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), (SELECT MAX(id) FROM {table.name}))"
                ))
        self.gathered.write(self.real)
        self.close()
        return written


for _name in _REFUSED:
    setattr(MemorySession, _name, _refuse(_name))


def _is_count_star(expr: Any) -> bool:
    """count(*), the one aggregate the actions' hooks ask for."""
    if not isinstance(expr, count_function):
        return False
    args = list(expr.clauses.clauses)
    return not args or (len(args) == 1 and str(args[0]) == "*")


def _project(obj: Any, columns: list[str]) -> Any:
    return getattr(obj, columns[0]) if len(columns) == 1 else tuple(getattr(obj, c) for c in columns)
