"""The `backfill` command: main (the parser and the page commands) and one module per group of commands
(runs, review, trust, crosscheck). `python -m pipeline.cli` runs it too."""

from pipeline.cli.main import main

__all__ = ["main"]
