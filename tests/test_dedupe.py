"""De-duplication: same person across ledgers and within one; different people kept apart;
Chinese OCR variations found; golden values with provenance."""

import numpy as np
import pytest

from mapping.dedupe import DedupeRecord, SourceValues, dedupe, merge_values
from mapping.hanzi import how_names_differ
from samples.persons import VARIATIONS, make_persons, pairwise_quality


def R(key, kind="cremation", name="王秀英", idn=None, cert=None, birth=None, home="H1", **kw):
    return DedupeRecord(key, kind, home, name, idn, cert, birth, kw.pop("event", None), **kw)


def test_cremation_and_sea_burial_rows_of_one_person_share_a_cluster():
    recs = [
        R(1, idn="370602193504071228", cert="201300514", birth="1935-04-07"),
        R(2, kind="sea_burial", idn=None, cert="201300514"),  # ID blank on the sea burial row
        R(3, name="李强", idn="370602194001011234", cert="201300515", birth="1940-01-01"),
    ]
    res = dedupe(recs)
    assert res.cluster_of[1] == res.cluster_of[2] != res.cluster_of[3]
    (link,) = res.links
    assert (link.a, link.b, link.status) == (1, 2, "auto_merged")
    assert link.evidence["cremation_cert_no"] == 1.0 and link.evidence["deceased_name"] == 1.0
    assert link.evidence["_how"]["deceased_name"] == "exact"


def test_same_id_different_names_is_not_merged_silently():
    recs = [R(1, name="王秀英", idn="370602193504071228"), R(2, name="赵敏", idn="370602193504071228")]
    res = dedupe(recs)
    assert res.cluster_of[1] != res.cluster_of[2]
    assert [(link.a, link.b) for link in res.uncertain] == [(1, 2)]


def test_homophone_name_with_same_birth_date_is_found_without_ids_and_left_to_a_person():
    recs = [
        R(1, name="王秀英", birth="1935-04-07"),
        R(2, name="王秀瑛", birth="1935-04-07"),
        R(3, name="李强", birth="1935-04-07"),
    ]
    res = dedupe(recs)
    assert [(link.a, link.b) for link in res.uncertain] == [(1, 2)]  # found through pinyin blocking
    assert res.uncertain[0].evidence["_how"]["deceased_name"] == "homophone"
    assert len(set(res.cluster_of.values())) == 3  # but not merged without stronger evidence


def test_different_people_with_different_certificates_stay_apart():
    recs = [R(1, name="王秀英", cert="201300514", birth="1935-04-07"), R(2, name="王秀英", cert="201300600", birth="1950-02-02")]
    res = dedupe(recs)
    assert res.cluster_of[1] != res.cluster_of[2]
    assert res.links == [] and res.uncertain == []


@pytest.mark.parametrize(
    "a,b,how",
    [
        ("王秀英", "玉秀英", "confusable"),
        ("李己", "李已", "confusable"),
        ("张末", "张未", "confusable"),
        ("刘國华", "刘国华", "variant"),
        ("孙桂英", "孙贵英", "homophone"),
        ("王秀英", "李强", "different"),
    ],
)
def test_names_compare_the_chinese_way(a, b, how):
    assert how_names_differ(a, b)[0] == how


def test_confusable_name_and_certificate_written_without_its_year_merge():
    recs = [
        R(1, name="王淑己", cert="201300540", event="2013-05-02", sex_code="2"),
        R(2, kind="sea_burial", name="玉淑已", cert=None, cert_raw="火字第540号", event="2014-03-01", sex_code="2"),
    ]
    (link,) = dedupe(recs).links
    assert link.evidence["_how"] == {
        "cremation_cert_no": "same serial, year not written",
        "deceased_name": "confusable",
        "sex_code": "same",
        "event_date": "fits (scattering after cremation)",
    }


def test_one_misread_id_digit_still_finds_its_match():
    good = "370602193504071228"
    bad = good[:9] + "8" + good[10:]  # the check digit no longer holds, so the normalizer gave no value
    recs = [R(1, idn=good, birth="1935-04-07"), R(2, idn=None, id_raw=bad, birth="1935-04-07")]
    (link,) = dedupe(recs).links
    assert link.evidence["_how"]["id_number"] == "one digit differs (check digit broken)"


def test_a_low_confidence_name_disagreement_counts_less():
    idn = "370602193504071228"
    sure = dedupe([R(1, name="王秀英", idn=idn), R(2, name="赵敏", idn=idn)]).uncertain[0]
    unsure = dedupe([R(1, name="王秀英", idn=idn), R(2, name="赵敏", idn=idn, name_confidence=0.4)]).uncertain[0]
    assert unsure.evidence["_weight"] > sure.evidence["_weight"]
    assert unsure.score > sure.score


def test_a_kept_apart_decision_wins_over_a_clear_match_and_a_merge_over_a_weak_one():
    recs = [
        R(1, cert="201300514", birth="1935-04-07"),
        R(2, cert="201300514", birth="1935-04-07"),
        R(3, name="李强", birth="1940-01-01"),
        R(4, name="赵敏", birth="1950-01-01"),
    ]
    res = dedupe(recs, decided={(1, 2): "kept_apart", (3, 4): "merged"})
    assert res.cluster_of[1] != res.cluster_of[2]
    assert res.cluster_of[3] == res.cluster_of[4]
    assert res.links == [] and res.uncertain == []  # decided pairs are not proposed again


@pytest.fixture(scope="module")
def generated():
    ps = make_persons(4000, seed=11, variation_rate=0.6)
    return ps, dedupe(ps.table())


def test_pairwise_precision_and_recall_on_generated_ledgers(generated):
    ps, res = generated
    q = pairwise_quality(ps.person_id, res.root)
    assert q["true_pairs"] > 1000
    assert q["precision"] >= 0.99 and q["recall"] >= 0.98, q


@pytest.mark.parametrize("variation", VARIATIONS + ("namesake",))
def test_each_variation_is_handled(generated, variation):
    ps, res = generated
    first: dict[int, int] = {}
    for i, p in enumerate(ps.person_id.tolist()):
        first.setdefault(p, i)
    rows = [i for i, v in enumerate(ps.variations) if variation in v]
    assert len(rows) >= 10
    if variation == "namesake":  # a different person with the same name and birth date: never merged
        name_birth = {(ps.columns["name"][i], ps.columns["birth_date"][i]): i for i in range(len(ps)) if not ps.variations[i]}
        twins = [(i, name_birth.get((ps.columns["name"][i], ps.columns["birth_date"][i]))) for i in rows]
        assert all(res.root[i] != res.root[j] for i, j in twins if j is not None)
        return
    found = np.mean([res.root[i] == res.root[first[ps.person_id[i]]] for i in rows])
    assert found >= 0.95, (variation, found)


def test_golden_values_take_the_reliable_value_and_name_its_record():
    def fv(value, conf=0.95, flags=()):
        return {"value": value, "raw": str(value), "confidence": conf, "flags": list(flags)}

    recs = [
        SourceValues(
            10,
            {"deceased_name": fv("王秀英"), "birth_date": fv("1935-04-07"), "cremation_date": fv("2013-05-02")},
            provenance={"ledger_kind": "cremation", "page": 1, "row": 3},
        ),
        SourceValues(
            11, {"deceased_name": fv("玉秀英", 0.6), "voyage_no": fv("13-04")}, provenance={"ledger_kind": "sea_burial"}
        ),
        SourceValues(
            12,
            {"deceased_name": fv("玉秀英", 0.5), "birth_date": fv("1935-07-04", 0.99)},
            reviewed=True,
            provenance={"ledger_kind": "cremation"},
        ),
    ]
    g = merge_values("C0000010", recs)
    assert g.values["deceased_name"].value == "玉秀英" and g.values["deceased_name"].agreeing == (11, 12)  # two agree
    assert g.values["birth_date"].value == "1935-07-04" and g.values["birth_date"].why == "reviewed"
    assert g.values["voyage_no"].record_id == 11 and g.values["cremation_date"].record_id == 10
    assert g.values["deceased_name"].others == (("王秀英", 10),)
    assert [s["record_id"] for s in g.sources] == [10, 11, 12] and g.sources[0]["row"] == 3
