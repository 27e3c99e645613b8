"""Figures for any period, the live panel's reads, the report document, and the plain-scan reference."""
