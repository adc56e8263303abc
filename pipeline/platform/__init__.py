"""The provincial platform: its schema (MZ/T 141 entity sets) and migrations, the loader with its receipts,
reconcile (the store against the platform), the exchange package, linkage of a person's records to
the platform, and the CSV export."""

from pipeline.kernel.store import register_load_text
from pipeline.platform.rowtext import make_load_text

register_load_text(make_load_text)  # every process that can load makes each record's row as it writes it
