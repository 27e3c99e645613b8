"""SLA rules: business calendars, policies, and the clocks that start, pause, stop and breach."""
