"""The ticket write side (actions, ownership, presence) and its read models (queue, activity)."""
