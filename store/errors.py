"""Domain errors the console turns into clear messages; none of them leaves a half-done write."""

from __future__ import annotations


class ShiftdeskError(Exception):
    """Base for errors a user can act on."""


class NotFound(ShiftdeskError):
    pass


class StaleVersion(ShiftdeskError):
    """Someone else changed the ticket after it was read; reload and try again."""

    def __init__(self, ticket_id: int, expected: int, actual: int) -> None:
        super().__init__(
            f"ticket #{ticket_id} changed since you opened it (version {expected}, now {actual}); reloaded"
        )
        self.ticket_id, self.expected, self.actual = ticket_id, expected, actual


class AlreadyClaimed(ShiftdeskError):
    """A claim lost the race: the ticket already has an owner."""

    def __init__(self, ticket_id: int, winner: str) -> None:
        super().__init__(f"ticket #{ticket_id} was already claimed by {winner}")
        self.ticket_id, self.winner = ticket_id, winner


class PermissionDenied(ShiftdeskError):
    """The acting agent's role does not allow this action."""

    def __init__(self, action: str, needed: str, role: str) -> None:
        super().__init__(f"{action} needs the {needed} role; you are {role}")
        self.action, self.needed, self.role = action, needed, role


class HeldByOther(PermissionDenied):
    """An agent changes only tickets they hold or nobody holds; leads and supervisors any. The
    store refuses it on both backends (the PostgreSQL guard also does, for plain SQL)."""

    def __init__(self, ticket_id: int, holder: str) -> None:
        ShiftdeskError.__init__(
            self, f"ticket #{ticket_id} is held by {holder}; an agent changes only their own or unassigned tickets")
        self.action, self.needed, self.role = "change a ticket someone else holds", "lead", "agent"
        self.ticket_id, self.holder = ticket_id, holder


class UnknownAgent(ShiftdeskError):
    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"no agent named {name!r}")
        self.name, self.known = name, known
