"""Additive counts kept inside each write, their rebuild from history, and the metrics computed from them."""
