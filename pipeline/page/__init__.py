"""One page, scan to routed records: intake (files in, pages out), cleanup, orientation, layout (the ruled
grid), extract (OCR of the cells, mapping, records saved), structure (a ledger's columns and serials),
the local lexicon, review holds kept across a re-map, and routing (auto-accept or review)."""
