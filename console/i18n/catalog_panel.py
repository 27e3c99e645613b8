"""Strings of the SLA panel and `shiftdesk report`."""

STRINGS = {
    "demo.phase.rollups": ("報表彙總", "report rollups"),
}
