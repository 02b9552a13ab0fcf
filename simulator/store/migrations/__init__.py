"""Alembic migrations for the course database (see simulator/store/database.py)."""
