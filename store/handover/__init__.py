"""Shift handover: its content, the draft built from live data, and its life from draft to acknowledged."""
