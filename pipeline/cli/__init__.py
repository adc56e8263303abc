"""The `backfill` command: main (the parser and the page commands) and one module per group of commands
(runs, review, trust, crosscheck). `python -m pipeline.cli` runs it too."""

import pipeline.platform  # noqa: F401 - registers the maker of records' platform rows (records.load_text)
from pipeline.cli.main import main

__all__ = ["main"]
