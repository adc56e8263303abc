"""Alembic environment of the platform schema. It runs on a connection handed over by
pipeline.platform.schema.upgrade (config.attributes["connection"]), so no URL or password ever
sits in a config file here, and no alembic.ini is needed in the working folder."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reachable by running alembic by hand
    raise RuntimeError("run platform migrations through `backfill migrate --platform URL`")

context.configure(connection=connection, target_metadata=None, render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
