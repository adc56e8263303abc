"""`python -m pipeline.cli ...`: the `backfill` command."""

import sys

from pipeline.cli.main import main

sys.exit(main())
