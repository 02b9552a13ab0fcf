"""Alembic's entry point. attunement runs migrations itself (simulator/store/database.py), always with
a connection it opened and locked, so there is no offline mode and no URL in a config file."""

from __future__ import annotations

from alembic import context

from simulator.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
