"""Shiftdesk tests' shared helpers: seeded databases, backends, Pilot helpers."""
