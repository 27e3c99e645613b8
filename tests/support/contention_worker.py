"""One agent's console in the contention test, run in its own process: claims and next-ticket calls."""

from __future__ import annotations

import random
import traceback
from datetime import UTC, datetime, timedelta

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def run_agent(url: str, agent_id: int, ops: int, ticket_ids: list[int], seed: int) -> dict:
    """Half the calls claim a random ticket, half ask for the next one; report what this agent got."""
    from store.db.engine import Database
    from store.errors import AlreadyClaimed
    from store.tickets.actions import Context, claim, next_ticket

    rng = random.Random(seed)
    db = Database(url)
    got: list[tuple[int, str]] = []
    mine: set[int] = set()
    lost = empty = 0
    errors: list[str] = []
    try:
        for i in range(ops):
            at = T0 + timedelta(seconds=i)
            try:
                with db.write() as session:
                    ctx = Context.open(session, at)
                    if rng.random() < 0.5:
                        ticket = claim(ctx, rng.choice(ticket_ids), agent_id)
                        how = "claim"
                    else:
                        ticket = next_ticket(ctx, agent_id)
                        how = "next"
                    taken = None if ticket is None else (ticket.id, ticket.assignee_id)
                if taken is None:
                    empty += 1
                elif taken[1] == agent_id and taken[0] not in mine:  # claiming one's own again is a no-op
                    mine.add(taken[0])
                    got.append((taken[0], how))
            except AlreadyClaimed:
                lost += 1
            except Exception:  # anything else reaching an agent fails the test, with its traceback
                errors.append(traceback.format_exc(limit=3))
    finally:
        db.dispose()
    return {"agent_id": agent_id, "got": got, "lost": lost, "empty": empty, "errors": errors}
