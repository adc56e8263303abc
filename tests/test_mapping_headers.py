"""Header matching and ledger-kind detection."""

from __future__ import annotations

from mapping import detect_kind, map_columns

CREMATION_HEADERS = [
    "序号",
    "火化证号",
    "死者姓名",
    "性别",
    "年龄",
    "身份证号",
    "户籍地址",
    "死亡日期",
    "火化日期",
    "骨灰去向",
    "经办人",
    "联系电话",
    "与死者关系",
    "备注",
]
SEA_HEADERS = [
    "序号",
    "逝者姓名",
    "性别",
    "身份证号",
    "火化证号",
    "撒海日期",
    "航次",
    "海域",
    "家属姓名",
    "关系",
    "电话",
    "随船人数",
    "备注",
]


def _fields(kind, headers):
    return [m.field for m in map_columns(kind, headers)]


def test_clean_cremation_headers():
    assert _fields("cremation", CREMATION_HEADERS) == [
        "row_no",
        "cremation_cert_no",
        "deceased_name",
        "sex_code",
        "age_years",
        "id_number",
        "household_address",
        "death_date",
        "cremation_date",
        "ashes_destination_code",
        "agent_name",
        "agent_phone",
        "agent_relation_code",
        "remarks",
    ]


def test_clean_sea_burial_headers():
    assert _fields("sea_burial", SEA_HEADERS) == [
        "row_no",
        "deceased_name",
        "sex_code",
        "id_number",
        "cremation_cert_no",
        "scattering_date",
        "voyage_no",
        "sea_area",
        "registrant_name",
        "registrant_relation_code",
        "registrant_phone",
        "onboard_count",
        "remarks",
    ]


def test_synonyms():
    got = _fields("cremation", ["亡者姓名", "公民身份号码", "去世日期", "火化证明编号", "经办人姓名", "经办人电话"])
    assert got == ["deceased_name", "id_number", "death_date", "cremation_cert_no", "agent_name", "agent_phone"]
    got = _fields("sea_burial", ["船次", "海葬日期", "登记人"])
    assert got == ["voyage_no", "scattering_date", "registrant_name"]


def test_ocr_noise_in_headers():
    noisy = ["序 号", "火化証号", "死者姓", "性 别", "身分证号", "死亡时问", "火化日朝", "骨灰去问", "经办入", "联系电活", "备註"]
    got = map_columns("cremation", noisy)
    assert [m.field for m in got] == [
        "row_no",
        "cremation_cert_no",
        "deceased_name",
        "sex_code",
        "id_number",
        "death_date",
        "cremation_date",
        "ashes_destination_code",
        "agent_name",
        "agent_phone",
        "remarks",
    ]
    assert all(0.65 <= m.score <= 1.0 for m in got)
    assert got[4].score < 1.0  # a wrong character costs score


def test_bracketed_notes_and_punctuation_are_ignored():
    got = map_columns("cremation", ["死亡日期(年月日)", "性别：", "【备注】", "火化日期时间"])
    assert [m.field for m in got] == ["death_date", "sex_code", "remarks", "cremation_date"]


def test_one_to_one_best_score_wins():
    got = map_columns("cremation", ["死亡时问", "死亡日期"])
    assert got[1].field == "death_date" and got[1].score == 1.0
    assert got[0].field is None
    got = map_columns("cremation", ["姓名", "家属姓名", "经办人"])
    assert got[0].field == "deceased_name"
    assert got[1].field == "agent_name"  # 家属姓名 is an exact wording of agent_name
    assert got[2].field is None  # agent_name already taken
    fields = [m.field for m in map_columns("cremation", CREMATION_HEADERS + CREMATION_HEADERS) if m.field]
    assert len(fields) == len(set(fields))


def test_unknown_and_empty_headers():
    got = map_columns("cremation", ["", "签字", "???"])
    assert [m.field for m in got] == [None, None, None]


def test_detect_kind_from_title_and_headers():
    assert detect_kind("烟台市殡仪馆火化登记簿", CREMATION_HEADERS)[0] == "cremation"
    assert detect_kind("", CREMATION_HEADERS)[0] == "cremation"
    assert detect_kind("", SEA_HEADERS)[0] == "sea_burial"
    kind, conf = detect_kind("海葬登记薄", [])  # 薄 for 簿, a common misprint/misread
    assert kind == "sea_burial" and conf > 0.8
    assert detect_kind("火化登記簿", [])[0] == "cremation"


def test_detect_kind_none():
    assert detect_kind("", []) == (None, 0.0)
    kind, conf = detect_kind("骨灰寄存登记簿", ["姓名", "寄存日期"])
    assert kind is None and conf >= 0.75


def test_a_header_read_whole_scores_as_the_column_matching_score_without_containment():
    # mapping.headers: the whole-header scores (the structure checks) and the column matching share one
    # similarity, so the two cannot drift; a header holding a wording names it only for the matching
    from mapping.headers import _whole_header_scores, _wordings, clean_header, wording_scores
    from mapping.spec import load_spec

    sp = load_spec()
    wordings = _wordings(sp, "cremation")
    for text in ("死者姓名", "死看姓名", "户籍地址", "户籍地", "登记户籍地球", "火化日朝", "骨灰去问", "联系电活", ""):
        h = clean_header(text)
        whole = _whole_header_scores(sp, "cremation", h)
        matched = {n: s for n, s, _w in wording_scores(wordings, h)}
        contained = {n for n, w in wordings if len(w) >= 3 and w in h and w != h}
        for name, score in whole.items():
            assert score <= matched[name] + 1e-12
            if name not in contained:
                assert score == matched[name]
    held = _whole_header_scores(sp, "cremation", clean_header("登记户籍地球"))
    assert held is _whole_header_scores(sp, "cremation", clean_header("登记户籍地球"))  # computed once per header
    matched = {n: s for n, s, _w in wording_scores(wordings, "登记户籍地球")}
    assert held["household_division_code"] < 0.8 <= matched["household_division_code"]  # holds 户籍地, is not it


def test_a_header_read_as_stand_ins_only_names_no_wording():
    # mapping.headers._confusion_similarity: a digit or letter is the recognizer's stand-in for a glyph it
    # could not read; stand-ins alone (AG, hACC) said nothing, yet scored 0.5 against every wording of their
    # length (序号, 姓名, 家属姓名 alike). Beside a glyph read they still count (0名 for 姓名).
    from mapping.headers import _wordings, clean_header, wording_scores
    from mapping.spec import load_spec

    sp = load_spec()
    for kind in ("cremation", "sea_burial"):
        wordings = _wordings(sp, kind)
        for text in ("AG", "hACC", "88", "R0"):
            assert all(s == 0.0 for _n, s, _w in wording_scores(wordings, clean_header(text))), (kind, text)
    scores = {n: s for n, s, _w in wording_scores(_wordings(sp, "cremation"), clean_header("0名"))}
    assert scores["deceased_name"] >= 0.75
    scores = {n: s for n, s, _w in wording_scores(_wordings(sp, "cremation"), clean_header("公民9份号码"))}
    assert scores["id_number"] >= 0.9
