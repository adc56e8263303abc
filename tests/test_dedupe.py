"""De-duplication: same person across ledgers and within one; different people kept apart."""
from mapping.dedupe import DedupeRecord, dedupe


def R(key, kind="cremation", name="王秀英", idn=None, cert=None, birth=None, home="H1"):
    return DedupeRecord(key, kind, home, name, idn, cert, birth, None)


def test_cremation_and_sea_burial_rows_of_one_person_share_a_cluster():
    recs = [
        R(1, idn="370602193504071228", cert="201300514", birth="1935-04-07"),
        R(2, kind="sea_burial", idn=None, cert="201300514"),                    # ID blank on the sea burial row
        R(3, name="李强", idn="370602194001011234", cert="201300515", birth="1940-01-01"),
    ]
    res = dedupe(recs)
    assert res.cluster_of[1] == res.cluster_of[2] != res.cluster_of[3]
    assert any(set(link.evidence) >= {"cremation_cert_no", "deceased_name"} for link in res.links)


def test_same_id_different_names_is_not_merged_silently():
    recs = [R(1, name="王秀英", idn="370602193504071228"), R(2, name="赵敏", idn="370602193504071228")]
    res = dedupe(recs)
    assert res.cluster_of[1] != res.cluster_of[2]
    assert [(link.a, link.b) for link in res.uncertain] == [(1, 2)]


def test_homophone_name_with_same_birth_date_is_found_without_ids_and_left_to_a_person():
    recs = [R(1, name="王秀英", birth="1935-04-07"), R(2, name="王秀瑛", birth="1935-04-07"), R(3, name="李强", birth="1935-04-07")]
    res = dedupe(recs)
    assert [(link.a, link.b) for link in res.uncertain] == [(1, 2)]  # found through pinyin blocking
    assert len(set(res.cluster_of.values())) == 3                    # but not merged without stronger evidence


def test_different_people_with_different_certificates_stay_apart():
    recs = [R(1, name="王秀英", cert="201300514", birth="1935-04-07"), R(2, name="王秀英", cert="201300600", birth="1950-02-02")]
    res = dedupe(recs)
    assert res.cluster_of[1] != res.cluster_of[2]
