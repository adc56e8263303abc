"""Routing of a derived field (id_number_raw, the ID number as read): by its source's threshold only
where it is the source's very value (pipeline.page.routing.field_threshold)."""

from __future__ import annotations

import json

from mapping.normalize import id_check_digit
from pipeline.kernel.config import Settings
from pipeline.kernel.models import FieldValue, MappedRecord
from pipeline.page.routing import AUTO_ACCEPTED, NEEDS_REVIEW, field_threshold, route


def _valid_id() -> str:
    """A made-up 18-character number whose GB 11643 check digit holds (no real person's)."""
    body = "37060219300101001"
    return body + id_check_digit(body)


def _record(id_value: str | None, raw_value: str | None, id_conf: float, raw_conf: float) -> MappedRecord:
    return MappedRecord(
        "cremation",
        {
            "id_number": FieldValue(id_value, raw_value or "", id_conf, None, ["engines_agree"]),
            "id_number_raw": FieldValue(raw_value, raw_value or "", raw_conf, None, []),
        },
    )


def _thresholds(tmp_path, **th: float) -> Settings:
    f = tmp_path / "th.json"
    f.write_text(json.dumps({"thresholds": th}), encoding="utf-8")
    return Settings(thresholds_file=str(f))


def test_raw_reading_that_is_the_validated_id_takes_the_ids_threshold(tmp_path):
    """Before: id_number_raw had no threshold of its own and fell to the 0.90 default, so a record whose
    ID was read at 0.88 (check digit holds, accepted by its fitted 0.5) was held by its raw copy alone."""
    s = _thresholds(tmp_path, id_number=0.5)
    v = _valid_id()
    rec = _record(v, v, 0.88, 0.88)
    assert field_threshold(rec, "id_number_raw", s) == 0.5
    assert route(rec, s) == (AUTO_ACCEPTED, [])


def test_raw_reading_unlike_the_id_keeps_the_default(tmp_path):
    """The sound hold stays: where the reading is not the value the check digit vouches for (an ID
    corrected from a misread digit), the raw reading is held at the cautious default."""
    s = _thresholds(tmp_path, id_number=0.5)
    v = _valid_id()
    misread = v[:5] + ("8" if v[5] != "8" else "3") + v[6:]
    rec = _record(v, misread, 0.88, 0.88)
    assert field_threshold(rec, "id_number_raw", s) == s.auto_accept_threshold
    status, reasons = route(rec, s)
    assert status == NEEDS_REVIEW and reasons == ["id_number_raw: confidence 0.88 below 0.90"]


def test_unsure_id_still_holds_its_record(tmp_path):
    """The ID's own doubt is untouched: read below its threshold, the record waits in review."""
    s = _thresholds(tmp_path, id_number=0.5)
    v = _valid_id()
    status, reasons = route(_record(v, v, 0.3, 0.3), s)
    assert status == NEEDS_REVIEW
    assert "id_number: confidence 0.30 below 0.50" in reasons
    assert "id_number_raw: confidence 0.30 below 0.50" in reasons


def test_a_threshold_of_its_own_wins(tmp_path):
    """An administrator's field_thresholds, or a thresholds file naming the field, is used as it is."""
    v = _valid_id()
    rec = _record(v, v, 0.88, 0.88)
    assert field_threshold(rec, "id_number_raw", _thresholds(tmp_path, id_number=0.5, id_number_raw=0.95)) == 0.95
    s = Settings(thresholds_file="", field_thresholds={"id_number_raw": 0.99})
    assert route(rec, s)[0] == NEEDS_REVIEW


def test_review_does_not_ask_for_a_look_at_what_routing_accepts(tmp_path):
    """The review screens ask the same question as the router (threshold_of): a raw reading that is the
    validated ID, read at 0.88 under the ID's fitted 0.5, is not listed as a field still to review;
    a raw reading unlike the ID is."""
    from pipeline.kernel.store import Record
    from pipeline.review.corrections import approval_gaps

    s = _thresholds(tmp_path, id_number=0.5)
    v = _valid_id()
    misread = v[:5] + ("8" if v[5] != "8" else "3") + v[6:]

    def rec(raw: str) -> Record:
        fields = {
            "id_number": {"value": v, "raw": raw, "confidence": 0.88, "flags": []},
            "id_number_raw": {"value": raw, "raw": raw, "confidence": 0.88, "flags": []},
        }
        return Record(ledger_kind="cremation", fields=fields, problems=[], route_reasons=[], status=NEEDS_REVIEW)

    assert "id_number_raw" not in {g.field for g in approval_gaps(rec(v), {}, s)}
    assert ("id_number_raw", "unreviewed") in {(g.field, g.code) for g in approval_gaps(rec(misread), {}, s)}
