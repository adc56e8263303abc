"""A held name confirmed by another register's sure reading of the same person (pipeline.page.confirm)."""

from __future__ import annotations

from sqlalchemy import select

from mapping.flags import FLAGS
from pipeline.kernel.config import Settings
from pipeline.kernel.store import Page, Record, SourceFile, Store
from pipeline.page.confirm import NAME_CONFIRMED, confirm_names

ID = "370681193504071223"  # made up; its GB 11643 check digit holds


def _fv(value, confidence: float = 0.999, flags: tuple[str, ...] = ()) -> dict:
    return {"value": value, "raw": str(value or ""), "confidence": confidence, "box": None, "flags": list(flags)}


def _store(tmp_path, records: list[tuple[int, str, str, list[str], dict]]) -> Store:
    """Records (page number, ledger kind, status, route reasons, fields), one file per page."""
    store = Store.open(Settings(data_dir=str(tmp_path / "data")))
    with store.session() as s, s.begin():
        for i, (page_no, kind, status, reasons, fields) in enumerate(records):
            f = SourceFile(
                sha256=f"{i:064d}", rel_path=f"v{i}.pdf", abs_path=f"/x/v{i}.pdf", size_bytes=1, media_type="pdf", page_count=1
            )
            s.add(f)
            s.flush()
            p = Page(file_id=f.id, page_no=page_no, status="done", steps=[])
            s.add(p)
            s.flush()
            s.add(Record(page_id=p.id, row_no=1, ledger_kind=kind, status=status, route_reasons=reasons, fields=fields))
    return store


def _held_cremation(name_flags: tuple[str, ...] = (), idn: str = ID) -> tuple[int, str, str, list[str], dict]:
    fields = {"deceased_name": _fv("王秀英", 0.95, name_flags), "id_number": _fv(idn), "agent_name": _fv("李明")}
    return (1, "cremation", "needs_review", ["deceased_name: confidence 0.95 below 0.98"], fields)


def _sure_sea(kind: str = "sea_burial", name: str = "王秀英", confidence: float = 0.995) -> tuple[int, str, str, list[str], dict]:
    fields = {"deceased_name": _fv(name, confidence), "id_number": _fv(ID), "registrant_name": _fv("李明")}
    return (1, kind, "auto_accepted", [], fields)


def _records(store: Store) -> list[Record]:
    with store.session() as s:
        return list(s.scalars(select(Record).order_by(Record.id)))


def test_a_held_name_read_alike_and_surely_in_the_other_register_is_confirmed(tmp_path):
    store = _store(tmp_path, [_held_cremation(), _sure_sea()])
    assert confirm_names(store, Settings(data_dir=str(tmp_path / "data"))) == 1
    held = _records(store)[0]
    fv = held.fields["deceased_name"]
    assert held.status == "auto_accepted" and held.route_reasons == []
    assert fv["confidence"] == 0.995 and NAME_CONFIRMED in fv["flags"] and fv["value"] == "王秀英"
    store.dispose()


def test_no_confirmation_from_the_same_register_another_text_an_unsure_reading_or_a_doubted_structure(tmp_path):
    cases = [
        [_held_cremation(), _sure_sea(kind="cremation")],  # a row read twice: the same ink
        [_held_cremation(), _sure_sea(name="王秀美")],  # the other register reads another name
        [_held_cremation(), _sure_sea(confidence=0.96)],  # the other reading is no surer
        [_held_cremation(name_flags=("column_doubted",)), _sure_sea()],  # the page's structure doubts the field
        [_held_cremation(idn=ID[:-1] + "4"), _sure_sea()],  # no valid ID ties the two entries
        [_held_cremation(name_flags=("name_weighed_by_sex",)), _sure_sea()],  # a text the bearer's sex chose: held
        [_held_cremation(name_flags=("name_doubted_glyph_replaced",)), _sure_sea()],  # a text for a doubted glyph: held
    ]
    for i, records in enumerate(cases):
        store = _store(tmp_path / str(i), records)
        assert confirm_names(store, Settings(data_dir=str(tmp_path / str(i) / "data"))) == 0, i
        held = _records(store)[0]
        assert held.status == "needs_review" and held.fields["deceased_name"]["confidence"] == 0.95, i
        store.dispose()


def test_every_re_map_ends_confirming_names(tmp_path):
    """agree_volumes, where the run, the remap and every review action that maps pages again end, confirms."""
    from pipeline.page.extract import agree_volumes

    settings = Settings(data_dir=str(tmp_path / "data"))
    store = _store(tmp_path, [_held_cremation(), _sure_sea()])
    agree_volumes(store, settings)
    assert _records(store)[0].status == "auto_accepted"
    store.dispose()


def _entry(kind: str, name: str, confidence: float, status: str = "needs_review", idn: str = ID, flags: tuple[str, ...] = ()):
    fields = {"deceased_name": _fv(name, confidence, flags), "id_number": _fv(idn)}
    reasons = [] if status == "auto_accepted" else [f"deceased_name: confidence {confidence:.2f} below 0.99"]
    return (1, kind, status, reasons, fields)


def test_a_name_read_one_character_apart_takes_the_other_registers_surer_reading_held(tmp_path):
    from pipeline.page.confirm import NAME_FROM_OTHER_REGISTER, settle_names

    store = _store(
        tmp_path, [_entry("cremation", "王秀英", 0.992, "auto_accepted"), _entry("sea_burial", "王秀美", 0.999, "auto_accepted")]
    )
    assert settle_names(store, Settings(data_dir=str(tmp_path / "data"))) == 1
    unsure, sure = _records(store)
    fv = unsure.fields["deceased_name"]
    assert fv["value"] == "王秀美" and fv["raw"] == "王秀英" and NAME_FROM_OTHER_REGISTER in fv["flags"]
    assert FLAGS[NAME_FROM_OTHER_REGISTER].zh.startswith("另一登记簿") and FLAGS[NAME_FROM_OTHER_REGISTER].severity == "warn"
    assert fv["confidence"] <= 0.45 and unsure.status == "needs_review"
    (line,) = unsure.route_reasons  # held by the name alone, under its threshold
    assert line.startswith(f"deceased_name: confidence {fv['confidence']:.2f} below ")
    assert unsure.field_values["deceased_name"] == "王秀美"
    assert sure.status == "auto_accepted" and sure.fields["deceased_name"]["confidence"] == 0.999
    store.dispose()


def test_no_name_taken_from_the_same_register_another_name_an_equal_reading_or_a_doubted_column(tmp_path):
    from pipeline.page.confirm import settle_names

    cases = [
        [_entry("cremation", "王秀英", 0.95), _entry("cremation", "王秀美", 0.999)],  # a row read twice: the same ink
        [_entry("cremation", "王秀英", 0.95), _entry("sea_burial", "李秀美", 0.999)],  # two characters apart
        [_entry("cremation", "王秀英", 0.95), _entry("sea_burial", "王秀美", 0.95)],  # neither surer
        [_entry("cremation", "王秀英", 0.95), _entry("sea_burial", "王秀美", 0.999, flags=("column_doubted",))],
        [_entry("cremation", "王秀英", 0.95, idn=ID[:-1] + "4"), _entry("sea_burial", "王秀美", 0.999, idn=ID[:-1] + "4")],
    ]
    for i, records in enumerate(cases):
        store = _store(tmp_path / str(i), records)
        assert settle_names(store, Settings(data_dir=str(tmp_path / str(i) / "data"))) == 0, i
        assert _records(store)[0].fields["deceased_name"]["value"] == "王秀英", i
        store.dispose()


def test_every_re_map_ends_settling_names(tmp_path):
    from pipeline.page.extract import agree_volumes

    settings = Settings(data_dir=str(tmp_path / "data"))
    store = _store(
        tmp_path, [_entry("cremation", "王秀英", 0.992, "auto_accepted"), _entry("sea_burial", "王秀美", 0.999, "auto_accepted")]
    )
    agree_volumes(store, settings)
    assert [r.fields["deceased_name"]["value"] for r in _records(store)] == ["王秀美", "王秀美"]
    store.dispose()


def test_confirming_and_settling_in_one_pass_gives_what_the_two_give_one_after_the_other(tmp_path):
    """agree_names (what every re-map ends with) reads the registers' shared IDs once and leaves the store as
    confirm_names then settle_names do: a name confirmed in one person's entries, a name taken in another's."""
    from pipeline.page.confirm import agree_names, settle_names

    other = "370681194203151232"  # made up; its GB 11643 check digit holds
    records = [
        _held_cremation(),
        _sure_sea(),
        _entry("cremation", "张桂兰", 0.992, "auto_accepted", idn=other),
        _entry("sea_burial", "张桂芝", 0.999, "auto_accepted", idn=other),
    ]
    one, two = _store(tmp_path / "one", records), _store(tmp_path / "two", records)
    assert agree_names(one, Settings(data_dir=str(tmp_path / "one" / "data"))) == (1, 1)
    settings = Settings(data_dir=str(tmp_path / "two" / "data"))
    assert (confirm_names(two, settings), settle_names(two, settings)) == (1, 1)

    def state(store: Store) -> list[tuple]:
        return [(r.status, r.route_reasons, r.fields, r.min_confidence) for r in _records(store)]

    assert state(one) == state(two)
    assert [r.status for r in _records(one)] == ["auto_accepted", "auto_accepted", "needs_review", "auto_accepted"]
    one.dispose()
    two.dispose()
