"""The provincial platform: its schema (MZ/T 141 entity sets) and migrations, the loader with its receipts,
reconcile (the store against the platform), the exchange package, linkage of a person's records to
the platform, and the CSV export."""
