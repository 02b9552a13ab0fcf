"""Alembic migrations for the course database (see simulator/database.py)."""
