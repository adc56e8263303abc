"""The spec file: loading, caching, validation that collects every error."""

from __future__ import annotations

import copy
import json

import pytest

from mapping import describe, load_spec
from mapping.flags import FLAGS
from mapping.spec import DATA_DIR, DEFAULT_VERSION, NORMALIZERS
from pipeline.kernel.errors import ConfigError


def _doc() -> dict:
    return json.loads((DATA_DIR / f"{DEFAULT_VERSION}.json").read_text(encoding="utf-8"))


def test_default_spec_loads_and_is_cached():
    spec = load_spec()
    assert spec.version == "mzt141-draft-0"
    assert set(spec.kinds) == {"cremation", "sea_burial"}
    assert load_spec() is spec
    assert load_spec("mzt141-draft-0") is spec
    assert load_spec(spec) is spec
    assert load_spec(DATA_DIR / "mzt141-draft-0.json") is spec


def test_cremation_fields_follow_spec_md():
    k = load_spec().kind("cremation")
    names = k.field_names
    for name in (
        "funeral_home_code",
        "cremation_cert_no",
        "deceased_name",
        "sex_code",
        "id_type",
        "id_number",
        "birth_date",
        "age_years",
        "ethnicity_code",
        "household_division_code",
        "household_address",
        "death_date",
        "death_cause_code",
        "death_cert_issuer_type",
        "cremation_date",
        "ashes_destination_code",
        "agent_name",
        "agent_phone",
        "agent_relation_code",
        "remarks",
    ):
        assert name in names
    f = k.field("id_number")
    assert f.max_length == 18 and f.mandatory == "C" and f.is_mandatory({"id_type": "0"}) and not f.is_mandatory({"id_type": "1"})
    assert k.field("deceased_name").max_length == 50 and k.field("deceased_name").mandatory == "M"
    assert k.field("ashes_destination_code").code_table == "ashes_destination"
    assert "row_no" in k.pseudo_fields and "row_no" not in names


def test_sea_burial_fields():
    k = load_spec().kind("sea_burial")
    for name in (
        "registration_no",
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
    ):
        assert name in k.field_names
    assert k.field("id_number").mandatory == "O"
    assert k.field("scattering_date").mandatory == "M"


def test_code_tables_and_divisions():
    spec = load_spec()
    assert spec.table("sex").codes["1"] == "男"
    assert spec.table("relation").lookup["配偶"] == "10"
    assert spec.table("ethnicity").lookup["汉"] == "01"
    assert spec.divisions["370634"].successor == "370614"
    assert spec.divisions["370684"].valid_in(2017) and not spec.divisions["370684"].valid_in(2021)
    assert not spec.divisions["370614"].valid_in(2013)
    assert {p.name for p in spec.places.places} >= {"芝罘区", "幸福街道", "门楼镇", "高疃镇", "砣矶镇", "芝罘卧佛岛海域"}
    for kind in spec.kinds.values():
        for f in kind.fields:
            assert f.normalizer in NORMALIZERS


def test_unknown_kind_raises_config_error():
    with pytest.raises(ConfigError):
        load_spec().kind("ashes_storage")


def test_validation_collects_every_error():
    doc = _doc()
    fields = doc["kinds"]["cremation"]["fields"]
    fields[1]["normalizer"] = "no_such_normalizer"
    fields[2]["max_length"] = -3
    fields[4]["code_table"] = "no_such_table"
    doc["code_tables"]["sex"]["wording"]["男"] = "7"
    doc["divisions"]["entries"][0]["code"] = "37060"
    with pytest.raises(ConfigError) as exc:
        load_spec(doc)
    msg = str(exc.value)
    for part in ("no_such_normalizer", "max_length", "no_such_table", "'7'", "6 digits"):
        assert part in msg
    assert "5 error" in msg or "6 error" in msg or "error(s)" in msg


def test_duplicate_header_wording_is_an_error():
    doc = copy.deepcopy(_doc())
    doc["kinds"]["cremation"]["fields"][3]["synonyms"].append("火化日期")
    with pytest.raises(ConfigError, match="火化日期"):
        load_spec(doc)


def test_spec_from_path_and_bad_file(tmp_path):
    p = tmp_path / "official.json"
    doc = _doc()
    doc["version"] = "official-1"
    doc["places_lexicon"] = str(DATA_DIR / "yantai_places.json")
    p.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert load_spec(p).version == "official-1"
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_spec(bad)
    with pytest.raises(ConfigError):
        load_spec(tmp_path / "missing.json")


def test_every_flag_has_a_description():
    for code, info in FLAGS.items():
        assert code.islower() and " " not in code
        assert info.severity in ("info", "warn", "error")
        text = describe(code)
        assert " / " in text and any("\u4e00" <= c <= "\u9fff" for c in text)
    assert describe("no_such_flag") == "no_such_flag"


def test_no_chinese_flag_text_points_the_reviewer_to_an_english_field_name():
    """A reviewer reads the Chinese text beside a value: "原文见 raw" named a data field a reviewer never sees
    (the app shows the reading as 识别原文)."""
    import re

    for code, info in FLAGS.items():
        assert not re.search(r"\braw\b", info.zh), code


@pytest.mark.parametrize(
    "bad, said",
    [
        ("370601", "divisions.id_address_codes: must be a list"),
        ([{"code": "37060"}], "divisions.id_address_codes[0].code: must be 6 digits"),
        ([{"code": "370602"}], "370602 is a listed division already"),
    ],
)
def test_a_malformed_id_address_code_list_is_refused_naming_the_setting(bad, said):
    """The spec's ID-only region codes (divisions.id_address_codes, GB/T 2260 370601): a setting that is
    no list, a code that is not 6 digits, or one that is a household division already, is refused with
    the setting named, never taken character by character."""
    doc = json.loads((DATA_DIR / "mzt141-draft-0.json").read_text(encoding="utf-8"))
    doc["divisions"]["id_address_codes"] = bad
    with pytest.raises(ConfigError) as e:
        load_spec(doc)
    assert said in str(e.value)
