"""The cross-check's blocking keys made in the reader (`RollKeys`, without the engine's table) are
the ones the linkage engine makes of the same entries (`roll_table` -> `cross_keys`): the speed-up of
issue 24 must never change which roll entries meet which deceased."""

from __future__ import annotations

import numpy as np

from mapping.dedupe import cross_keys
from pipeline.crosscheck.check import roll_table
from pipeline.crosscheck.rolls import RollKeys, open_roll, read_entries
from samples.rolls import make_deceased, make_roll, write_roll_csv


def test_reader_keys_block_exactly_as_the_engine_table_does(tmp_path):
    # a generated roll with every variation the bench uses: ID typos, 15-digit and missing IDs, name
    # variants, blank birth dates, namesakes (samples.rolls' default rates)
    roll = make_roll(make_deceased(3000, seed=7), 6000, seed=8, dead_share=0.2, namesake_share=0.05)
    path = tmp_path / "roll.csv"
    write_roll_csv(roll, path)
    layout, batches = open_roll(path, chunk_rows=2500)
    chunks = no_id = bad_id = 0
    for e, _bad, _read, _blank in read_entries(layout, batches):
        chunks += 1
        keys = e.keys if e.keys is not None else RollKeys.of(e)
        table = roll_table(e)
        assert len(keys) == len(e) > 0
        for col in ("ids", "has_id", "id_valid", "canon_hash", "pinyin_hash", "birth"):
            assert np.array_equal(getattr(keys, col), getattr(table, col)), col
        mine, theirs = cross_keys(keys), cross_keys(table)  # RollKeys holds the columns cross_keys reads
        assert mine.keys() == theirs.keys()
        for rule in theirs:
            assert np.array_equal(mine[rule], theirs[rule]), rule
        no_id += int((~table.has_id).sum())
        bad_id += int((table.has_id & ~table.id_valid).sum())
    # the variations were there: entries without an ID and entries whose ID fails its check digit
    assert chunks >= 2 and no_id > 0 and bad_id > 0, (chunks, no_id, bad_id)
