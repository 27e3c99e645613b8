"""The agent's queue screen: table, detail pane, keys, palette entries and the actions they start."""
