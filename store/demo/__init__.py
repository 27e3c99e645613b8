"""Realistic, deterministic demo data and the words it is made of."""
