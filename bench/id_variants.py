"""Issue 21: every wrong ID on bench stores, masked, and whether the standards single the truth out.

    python bench/id_variants.py [--no-remap] FAMILY_DIR [FAMILY_DIR ...]

Each FAMILY_DIR is what bench/bench_families.py keeps (remapped in place unless --no-remap: work on a copy).
For every truth ID whose record's value is not exact: the reading's length, how many digits are wrong and at
which positions (no digit printed), whether the cell's second reading is the same, the truth's rank among the
recognizer's scored alternatives and among those the row allows (mapping.idfix._allowed), whether the row's
sex/age/death were read right, and how many numbers among the readings' variants (`1conf`: one CONFUSABLE
look-alike, `1any`: one digit any digit, a digit put in for a 17-character reading or dropped from a 19;
`2conf`, `2any`: two such) pass GB 11643 (check digit, real birth date) and fit the row (age +-1, before the
death, sex, a listed GB/T 2260 region: mapping.idfix.disagreements), `T` where the truth is one of them; with
the row's facts as mapped (`row.`) and as true (`truthrow.`). At the end the digit pairs read>truth, overall
and for IDs with at most two wrong digits by part (R region, B birth date, S sequence/check). Counts and
positions only. Never part of the test suite. Session 41 (s41-phone-ids) measured photographs with it.
"""

import datetime as dt
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from fields_wrong import run_store

from mapping.idfix import CONFUSABLE, RowFacts, _allowed, disagreements
from mapping.normalize import convert_15_to_18
from mapping.spec import load_spec
from pipeline.kernel.config import Settings
from pipeline.page.routing import AUTO_ACCEPTED
from pipeline.quality.evaluate import page_view, scored_value, truth_pages

regions = load_spec().id_regions


def iso(v):
    try:
        return dt.date.fromisoformat(str(v)) if v else None
    except ValueError:
        return None


def ok(c, facts):
    return not disagreements(c, facts, regions)


def variants1(s, facts, conf_only):
    out = set()
    if len(s) == 18:
        for i in range(18):
            alts = (
                (CONFUSABLE.get(s[i], "") + ("X" if i == 17 else "")) if conf_only else ("0123456789" + ("X" if i == 17 else ""))
            )
            for a in alts:
                if a != s[i]:
                    out.add(s[:i] + a + s[i + 1 :])
    elif len(s) == 17:
        for i in range(18):
            for a in "0123456789X" if i == 17 else "0123456789":
                out.add(s[:i] + a + s[i:])
    elif len(s) == 15 and s.isdigit():
        for i in range(15):
            for a in CONFUSABLE.get(s[i], "") if conf_only else "0123456789":
                if a != s[i]:
                    out.add(convert_15_to_18(s[:i] + a + s[i + 1 :]))
        return out
    elif len(s) == 19:
        for i in range(19):
            out.add(s[:i] + s[i + 1 :])
    return {c for c in out if len(c) == 18}


def variants2(s, facts, conf_only):
    one = variants1(s, facts, conf_only) if len(s) in (15, 17, 18, 19) else set()
    out = set()
    for c in one:
        out |= variants1(c, facts, conf_only) if len(c) == 18 and len(s) != 15 else set()
    return out


settings = Settings.load(None)
pairs = Counter()
pairs2 = Counter()
summary = Counter()
for d in [a for a in sys.argv[1:] if not a.startswith("--")]:
    st = run_store(Path(d), settings, "--no-remap" not in sys.argv)
    for _p, gpage, stt, cols, recs in truth_pages(st):
        page = page_view(gpage, stt, cols, recs, lost=not any(recs.values()))
        for grow in gpage["rows"]:
            if grow.get("struck"):
                continue
            t = scored_value(grow["record"].get("id_number"))
            if t is None:
                continue
            rec = recs[grow["row"]]
            if rec is None:
                summary["row_lost"] += 1
                continue
            fv = rec.fields.get("id_number") or {}
            o = scored_value(fv.get("value"))
            summary["ids"] += 1
            if o == t:
                summary["exact"] += 1
                continue
            cell = rec.cells[cols.index("id_number")] if "id_number" in cols and cols.index("id_number") < len(rec.cells) else {}
            raw = "".join(str(fv.get("raw") or "").split()).upper()
            sec = "".join(str(cell.get("second") or "").split()).upper()
            vals = {n: (rec.fields.get(n) or {}).get("value") for n in ("sex_code", "age_years", "death_date")}
            tv = {n: scored_value(grow["record"].get(n)) for n in ("sex_code", "age_years", "death_date")}
            sex = str(vals.get("sex_code") or "") or None
            age = vals.get("age_years")
            facts = RowFacts(
                sex if sex in ("1", "2") else None, int(age) if str(age or "").isdigit() else None, iso(vals.get("death_date"))
            )
            tfacts = RowFacts(
                str(tv["sex_code"]) if tv["sex_code"] else None,
                int(tv["age_years"]) if str(tv["age_years"] or "").isdigit() else None,
                iso(tv["death_date"]),
            )
            written = str(grow["record"].get("id_number_raw") or t)
            ref = t if len(raw) != 15 else (written if len(written) == 15 else None)
            diff = "len%d" % len(raw)
            if ref and len(raw) == len(ref):
                pos = [i for i in range(len(ref)) if raw[i] != ref[i]]
                diff = f"{len(pos)}wrong@" + ",".join(str(i + 1) for i in pos)
                for i in pos:
                    pairs[(raw[i], ref[i])] += 1
                for i in pos:
                    if len(pos) <= 2:
                        pairs2[(raw[i], ref[i], "R" if i < 6 else "B" if i < (12 if len(ref) == 15 else 14) else "S")] += 1
            alts = [a[0].upper() for a in (cell.get("alternatives") or []) if a and a[0]]
            al = _allowed(cell.get("alternatives") or [], facts, regions) if alts else []
            trank = alts.index(t) if t in alts else -1
            arank = [x[2] for x in al].index(t) if t in [x[2] for x in al] else -1
            res = []
            for lab, fx in (("row", facts), ("truthrow", tfacts)):
                for k, conf in (("1conf", True), ("1any", False), ("2conf", True), ("2any", False)):
                    if k == "2any" and len(raw) != 18:
                        continue
                    vs = set()
                    for r in {raw, sec} - {""}:
                        if len(r) in (15, 17, 18, 19):
                            vs |= variants1(r, fx, conf) if k.startswith("1") else variants2(r, fx, conf)
                    good = sorted(c for c in vs if ok(c, fx))
                    tt = convert_15_to_18(t) if len(t) == 15 else t
                    res.append(f"{lab}.{k}={len(good)}{'T' if tt in good else ''}")
            flags = fv.get("flags", [])
            kind = "wrong" if o else "blank"
            summary[kind] += 1
            print(
                f"{Path(d).parts[-3][:10]:10s} {kind} auto={rec.status == AUTO_ACCEPTED} rawlen={len(raw)} {diff} sec={'same' if sec == raw else len(sec)} "
                f"alts={len(alts)} truth_alt_rank={trank} allowed={len(al)} truth_allowed_rank={arank} "
                f"row_sex={facts.sex is not None}/{facts.sex == tfacts.sex} age={facts.age is not None}/{facts.age == tfacts.age} death={facts.death is not None}/{facts.death == tfacts.death} "
                f"truth_vs_row={','.join(disagreements(t, facts, regions)) or 'ok'} {' '.join(res)} flags={','.join(f for f in flags if f.startswith(('id_', 'legacy', 'converted', 'check', 'bad_len', 'spec_', 'decoded')))}"
            )
    st.dispose()
print(dict(summary))
print("pairs (<=2 wrong) read>truth@part:", ", ".join(f"{a}>{b}@{c} {n}" for (a, b, c), n in pairs2.most_common()))
print("pairs read>truth:", ", ".join(f"{a}>{b} {n}" for (a, b), n in pairs.most_common()))
