"""Shared pytest setup."""

pytest_plugins = ["backends"]  # db_url/backend_db on SQLite and PostgreSQL: tests/backends.py
