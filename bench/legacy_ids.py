"""The ID numbers of auto-accepted records on bench stores, right and wrong, 15-digit (GB 11643-1989 legacy)
apart: what a first-generation ID misread by one digit at high confidence costs (issue 21, session 26).

    python bench/legacy_ids.py ROOT/county_editions ROOT/typed_sheets [...]

Each dir is a family dir as bench/fields_wrong.py reads it (re-mapped with today's code, no OCR, the
packaged thresholds). Prints counts only: IDs in auto-accepted records (all / legacy by the truth's 15
digits), wrong among them, IDs held, and the flags of the legacy IDs held. Auto-accepted is the
record's status (as pipeline.quality.evaluate counts it): the blind audit's draw (pipeline.quality.audit)
moves when another record is held, so a count may move by one that no change of the ID's caused. Never part of the test suite.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.fields_wrong import cases  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402


def main() -> None:
    settings = Settings.load(None)
    tot: Counter[str] = Counter()
    held_flags: Counter[str] = Counter()
    for d in sys.argv[1:]:
        for c in cases(Path(d), settings, every=True):
            if c["field"] != "id_number" or not c["truth"]:
                continue
            legacy = len(c["truth"]) == 15 or "converted_15_to_18" in c["flags"]
            right = c["truth"] == c["value"] or (legacy and c["value"][:6] + c["value"][8:17] == c["truth"])
            for k in ("all", "legacy") if legacy else ("all",):
                tot[f"{k} ids"] += 1
                tot[f"{k} right"] += right
                if c["auto"]:
                    tot[f"{k} auto"] += 1
                    tot[f"{k} auto wrong"] += not right
                else:
                    tot[f"{k} held right"] += right
            if legacy and not c["auto"]:
                held_flags.update(f for f in c["flags"] if f.startswith(("legacy", "id_", "sex_", "birth", "age")))
    for k in ("all", "legacy"):
        print(
            f"{k}: IDs {tot[k + ' ids']}, right {tot[k + ' right']}, in auto-accepted records {tot[k + ' auto']} "
            f"(wrong {tot[k + ' auto wrong']}), held right {tot[k + ' held right']}"
        )
    print("flags of held legacy IDs:", dict(held_flags.most_common()))


if __name__ == "__main__":
    main()
