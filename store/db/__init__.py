"""Engine, sessions, migrations, the hot-path reader and change probes: how Shiftdesk talks to its database."""
