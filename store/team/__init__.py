"""Who works here: agents and their roles, the permission checks, and the team's shifts."""
