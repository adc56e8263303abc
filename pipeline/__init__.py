"""funeral-backfill: the domain package (models, store, intake, cleanup, layout, routing, loading, CLI)."""

__version__ = "0.1.0"
