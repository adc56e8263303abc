"""Thresholds refitted from reviews (issue 23): `backfill calibrate --from-reviews` writes a versioned
file (who, when, which evidence) cross-validated by volume; `backfill remap --thresholds` applies it,
`--rollback` goes back; the versions stay."""

from __future__ import annotations

import io
import json
import re
import shutil
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from reviewing import approve_as_reviewer
from sqlalchemy import select

from pipeline.cli import main as cli
from pipeline.kernel.config import Settings
from pipeline.kernel.errors import BackfillError
from pipeline.kernel.store import AuditSample, Record, Store
from pipeline.kernel.thresholds import MIN_FITTED_PAGES as MIN_PAGES
from pipeline.quality import audit as A
from pipeline.quality import refit as F
from pipeline.quality.calibration import Observation, field_types, fit_joint, thresholds_doc
from pipeline.review.corrections import correct_record
from pipeline.runs import stages
from samples.seed import seed_store


@pytest.fixture()
def reviewed(tmp_path):
    """Three volumes; the blind audit drawn; every record in review approved, some held ones corrected.
    The audit's target is 5 % here (a settings file, as an administrator would write it), so that a
    clean sample of 20 passes its volume and the re-maps below leave routing to the thresholds."""
    config = tmp_path / "backfill.toml"
    config.write_text(f'data_dir = "{tmp_path / "data"}"\naudit_target = 0.05\n', encoding="utf-8")
    settings = Settings.load(config)
    store = Store.open(settings)
    seed_store(store, settings, homes=("yantai", "longkou", "haiyang"), kinds=("cremation",), pages=4, unsure_share=0.3)
    A.draw(store, settings)
    with store.session() as s:
        waiting = list(s.scalars(select(Record.id).where(Record.status == "needs_review").order_by(Record.id)))
        sampled = set(s.scalars(select(AuditSample.record_id)))
    for i, rid in enumerate(waiting):
        if i % 4 == 0 and rid not in sampled:
            correct_record(store, rid, {"deceased_name": "王小明"}, user="ann", settings=settings)
        approve_as_reviewer(store, rid, "ann", settings)
    yield store, settings, ["--config", str(config)]
    store.dispose()


def _statuses(store: Store) -> dict[int, str]:
    with store.session() as s:
        return dict(s.execute(select(Record.id, Record.status)).all())


def test_calibrate_from_reviews_writes_a_version_with_its_evidence(reviewed, backfill_cli):
    store, settings, data = reviewed
    text = backfill_cli("calibrate", "--from-reviews", "--user", "boss", "--folds", "3", *data)
    assert "cross-validated over 3 folds of volumes" in text and "thresholds in use (packaged)" in text
    path = F.thresholds_versions(settings).path_of(1)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["version"]["created_by"] == "boss" and doc["version"]["created_at"]
    ev = doc["fitted_on"]["evidence"]
    assert doc["fitted_on"]["source"] == "reviews" and ev["volumes"] == 3 and ev["audited"] == 60 and ev["records"] > 24
    assert (
        doc["fitted_on"]["cross_validated"]["straight_through"]["high"]
        >= doc["fitted_on"]["cross_validated"]["straight_through"]["rate"]
    )
    assert set(doc["thresholds"]) >= {"deceased_name", "household_address"} and "per_type" in doc
    # written, not in use: routing still reads the packaged file
    assert Settings(data_dir=settings.data_dir).active_thresholds_file is None
    listed = backfill_cli("calibrate", "--list", *data)
    assert "v1" in listed and "boss" in listed and "<- 正在使用 in use" in listed.splitlines()[0]
    assert re.search(r"^v1 +20\d\d-\d\d-\d\d \d\d:\d\d:\d\d UTC\+8 ", listed, re.M), listed  # when, in the archive's zone


def test_cross_validation_never_scores_a_volume_with_its_own_fit(reviewed, monkeypatch):
    store, settings, _data = reviewed
    ev = F.gather(store, settings)
    seen: list[set[str]] = []
    real = F.fit_joint

    def spy(obs, *a, **kw):
        seen.append({ev.volume[o.record] for o in obs})
        return real(obs, *a, **kw)

    monkeypatch.setattr(F, "fit_joint", spy)
    scored: list[set[str]] = []
    real_accepted = F.accepted

    def spy_accepted(e, records, *a, **kw):
        scored.append({e.volume[r] for r in records})
        return real_accepted(e, records, *a, **kw)

    monkeypatch.setattr(F, "accepted", spy_accepted)
    F.refit(store, settings, ev=ev, folds=3)
    vols = set(ev.volume.values())
    assert len(vols) == 3 and seen[0] == vols  # the fit written uses every volume
    folds = seen[1:]
    assert len(folds) == 3
    for fitted, held_out in zip(folds, scored[:3]):
        assert not fitted & held_out and fitted | held_out == vols
    # audited records stand for the auto-accepted records of their volume; held ones for themselves
    assert max(ev.weights.values()) > 1.0 and min(ev.weights.values()) == 1.0


def test_a_thresholds_file_applied_and_rolled_back(reviewed, backfill_cli):
    store, settings, data = reviewed
    A.enforce(store, settings)  # what the audit measured is acted on first (a remap does it too)
    before = _statuses(store)
    # a version that never auto-accepts a name: every record with a name goes to review when applied
    doc = thresholds_doc({"name": {"threshold": 1.01, "n": 0, "accepted": 0, "wrong_accepted": 0}}, 0.0015, {"source": "test"})
    path = F.thresholds_versions(settings).write(doc, user="boss", note="names always reviewed")
    text = backfill_cli("remap", "--thresholds", "v1", "--user", "boss", *data)
    assert "thresholds: default -> thresholds-v0001.json" in text
    assert Settings(data_dir=settings.data_dir).active_thresholds_file == str(path)
    after = _statuses(store)
    assert "auto_accepted" in before.values() and "auto_accepted" not in after.values()
    assert {k for k, v in before.items() if v in ("approved", "rejected")} == {
        k for k, v in after.items() if v in ("approved", "rejected")
    }
    with store.session() as s:
        rec = s.scalars(select(Record).where(Record.status == "needs_review")).first()
    assert any(r.startswith("deceased_name: confidence") and "below 1.01" in r for r in rec.route_reasons)
    # rolled back: the packaged thresholds again, the same routing as before; the version stays for later
    text = backfill_cli("remap", "--rollback", "--user", "boss", *data)
    assert "thresholds: thresholds-v0001.json -> default (rolled back)" in text
    assert Settings(data_dir=settings.data_dir).active_thresholds_file is None
    assert _statuses(store) == before
    assert path.is_file()
    history = F.thresholds_versions(settings).history()
    assert [(h["action"], h["from"], h["to"], h["by"]) for h in history] == [
        ("apply", "default", "thresholds-v0001.json", "boss"),
        ("rollback", "thresholds-v0001.json", "default", "boss"),
    ]
    # nothing left to roll back to
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli(["remap", "--rollback", *data]) != 0


def test_remap_says_what_it_did_chinese_first(reviewed, backfill_cli):
    """`backfill remap` speaks like the other commands' summaries: Chinese first, English after " / "."""
    store, settings, data = reviewed
    text = backfill_cli("remap", *data)
    lines = text.strip().splitlines()
    assert lines[0].startswith("已按存储的单元格重新映射 ") and "条记录（未重新识别）/ mapped " in lines[0], text
    assert all("\u4e00" <= line.strip()[0] <= "\u9fff" for line in lines), text  # every line starts in Chinese
    F.thresholds_versions(settings).write(thresholds_doc({}, 0.0015, {"source": "test"}), user="boss")
    text = backfill_cli("remap", "--thresholds", "v1", "--user", "boss", *data)
    assert text.startswith(
        "自动接受阈值：默认（随程序提供） → thresholds-v0001.json / thresholds: default -> thresholds-v0001.json\n"
    )
    text = backfill_cli("remap", "--rollback", "--user", "boss", *data)
    assert text.startswith("自动接受阈值：thresholds-v0001.json → 默认（随程序提供）（已回退） / ")


def test_an_explicit_thresholds_setting_is_not_silently_overridden(tmp_path):
    settings = Settings(data_dir=str(tmp_path / "d"), thresholds_file="")
    store = Store.open(settings)
    F.thresholds_versions(settings).write(thresholds_doc({}, 0.0015, {}), user="boss")
    with pytest.raises(Exception, match="thresholds_file"):
        stages.apply_version(store, settings, "v1", user="boss")
    store.dispose()


def test_a_refit_with_no_review_ended_says_so_in_chinese_first(tmp_path):
    """An administrator who presses 'refit' (app or `backfill calibrate --from-reviews`) before any review
    has ended reads why nothing can be fitted, Chinese first, and what to do."""
    settings = Settings(data_dir=str(tmp_path / "d"))
    store = Store.open(settings)
    with pytest.raises(BackfillError) as err:
        F.refit(store, settings)
    store.dispose()
    assert str(err.value).startswith("尚无审核完成的记录"), str(err.value)
    assert err.value.hint.startswith("请先审核记录"), err.value.hint


# --- the bound rule on synthetic evidence whose truth is known ------------------------------------------------
def _settings_with(tmp_path, thresholds: dict[str, float]) -> Settings:
    """Settings whose thresholds in use are `thresholds` (a file, as an administrator's setting): the
    tests do not depend on the packaged thresholds."""
    path = tmp_path / "in-use.json"
    path.write_text(json.dumps({"thresholds": thresholds, "page_unsure_max": None}), encoding="utf-8")
    return Settings(data_dir=str(tmp_path / "d"), thresholds_file=str(path))


NAME, OTHERS = "deceased_name", ("cremation_date", "age_years", "sex_code", "cremation_cert_no")


def _evidence(records: list[tuple[float, bool]], volumes: int = 4) -> F.Evidence:
    """One reviewed record per (name confidence, name right): its name, and four other fields read at
    0.99 and right; volumes round robin."""
    ev = F.Evidence()
    for rid, (conf, right) in enumerate(records, start=1):
        ev.volume[rid] = f"vol-{rid % volumes}"
        ev.obs.append(Observation(NAME, conf, right, (), ev.volume[rid], rid))
        ev.obs += [Observation(n, 0.99, True, (), ev.volume[rid], rid) for n in OTHERS]
    return ev


def _in_use() -> dict[str, float]:
    """The thresholds in use: names at 0.95, every other field at 0.5 (every field name listed)."""
    return {n: 0.95 if t == "name" else 0.5 for n, t in field_types().items()}


def test_the_refit_report_of_calibrate_from_reviews_is_chinese_first(tmp_path):
    """`backfill calibrate --from-reviews` printed its report in English only ("evidence: …", "fit target:
    …"): each line now starts in Chinese (the field types by their Chinese names), its English after it."""
    settings = _settings_with(tmp_path, _in_use())
    result = F.refit(None, settings, ev=_evidence([(0.97, True)] * 300 + [(0.85, True)] * 12), folds=2)
    path = tmp_path / "thresholds-v3.json"
    text = F.format_refit(result, path)
    lines = [x.strip() for x in text.splitlines() if x.strip()]
    assert lines and all(re.match(r"[\u4e00-\u9fff（]", x) for x in lines), [
        x for x in lines if not re.match(r"[\u4e00-\u9fff（]", x)
    ]
    assert lines[0].startswith("依据：") and "(evidence: " in lines[0]
    assert any(x.startswith("姓名 name ") and "（保持：已审核的值不足以放宽" in x for x in lines), text
    assert any(x.startswith("已写出 ") and "backfill remap --thresholds v3" in x for x in lines), text


def test_refit_does_not_loosen_a_threshold_on_too_few_reviewed_values(tmp_path):
    """300 records read above the name threshold in use (0.95) and 12 read at 0.85, all right: a fit
    to the point estimate would take the threshold down to 0.85; 60 fields cannot show 0.3 %, so it
    stays, and the refit says why. 400 such records (2 000 fields, all right) do show it."""
    settings = _settings_with(tmp_path, _in_use())
    ev = _evidence([(0.97, True)] * 300 + [(0.85, True)] * 12)
    result = F.refit(None, settings, ev=ev, folds=2)
    assert result.target == settings.audit_target == 0.003
    assert result.per_type["name"]["threshold"] == 0.95
    assert F.why(result.per_type["name"], 0.95)[0] == "too_few" and F.not_loosened(result) == ["name"]
    text = F.format_refit(result)
    assert "not enough reviewed values to loosen name" in text
    assert "(kept: not enough reviewed values to loosen: 12 records read lower, 60 fields all right" in text
    # the point rule (no bound, from the floor) is what it replaces: it would have loosened
    obs = [o for o in ev.obs]
    point, _lim = fit_joint(obs, {}, 0.003, page_kind=None)
    assert point["name"]["threshold"] <= 0.85

    more = _evidence([(0.97, True)] * 300 + [(0.85, True)] * 400)
    loosened = F.refit(None, settings, ev=more, folds=2)
    assert loosened.per_type["name"]["threshold"] == 0.85 and F.not_loosened(loosened) == []
    assert loosened.bound["shown"] and loosened.bound["upper"] <= 0.003


def _true_rate(tau: float) -> float:
    """The true wrong rate among an auto-accepted record's five fields with the name threshold at tau,
    under the law of _drawn: name confidence uniform on [0.5, 1], wrong with probability
    q(c) = (0.2 / 0.3) (0.8 - c) below 0.8, never above; the four other fields always right."""
    x = max(0.0, 0.8 - tau)
    return (0.2 / 0.3) * x * x / 2 / (1 - tau) / 5


def _drawn(n: int, seed: int) -> list[tuple[float, bool]]:
    import random

    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        c = round(rnd.uniform(0.5, 1.0), 3)
        out.append((c, rnd.random() >= (0.2 / 0.3) * max(0.0, 0.8 - c)))
    return out


@pytest.mark.parametrize("n, seed", [(400, 1), (1500, 2), (1500, 3)])
def test_refit_meets_the_bound_where_the_truth_is_known(tmp_path, n, seed):
    """Records drawn from a known law (the true wrong rate among auto-accepted fields at a name
    threshold tau is _true_rate: 0.3 % at tau = 0.68): the threshold the refit chooses delivers the
    target in truth. With 1 500 reviewed records the evidence is ample and it is loosened from the
    0.95 in use (to about 0.70-0.71, where the bound is met); with 400 (about 120 records read between
    0.8 and 0.95, all right, too few to show 0.3 %) the threshold in use is kept and the refit says
    the reviews do not show the target yet."""
    settings = _settings_with(tmp_path, _in_use())
    result = F.refit(None, settings, ev=_evidence(_drawn(n, seed)), folds=2)
    tau = result.per_type["name"]["threshold"]
    assert _true_rate(tau) <= 0.003
    if n >= 1500:
        assert tau < 0.8 and result.bound["shown"] and result.bound["upper"] <= 0.003
    else:
        assert tau == 0.95 and not result.bound["shown"]
        assert "the reviews do not show the target yet" in F.format_refit(result)


# --- capture kinds: a section fitted on each kind's reviewed fields alone --------------------------------------
PHOTO_STEPS = [{"name": "capture", "settings": {}, "result": {"page_found": True, "warped": True, "upsample": 1.0}}]


def _config(folder: Path) -> Path:
    """The settings file an administrator would write: the data folder beside it, the audit's target 5 %."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "backfill.toml"
    config.write_text(f'data_dir = "{folder / "data"}"\naudit_target = 0.05\n', encoding="utf-8")
    return config


def _captured(tmp_path: Path, photographed: int, wrong_names: int = 0, pages_per_volume: int = 12, *, seeded: Path | None = None):
    """Three volumes of 12 pages (`pages_per_volume`); the first `photographed` pages (volume by volume) photographed (their
    capture step), the rest scanned; re-mapped so routing holds every photographed record (the packaged
    thresholds were fitted on scans only), the blind audit drawn, every record in review approved,
    and the deceased's name corrected on `wrong_names` photographed records read at confidence 1.0
    (wrong at high confidence, as photographed fields are). `seeded`: a data folder the same registers
    were seeded in (copied here instead of seeding them again). Returns (store, settings, CLI args)."""
    from pipeline.kernel.store import Page

    config = _config(tmp_path)
    homes = ("yantai", "longkou", "haiyang")
    if seeded is not None:
        shutil.copytree(seeded, tmp_path / "data")
    settings = Settings.load(config)
    store = Store.open(settings)
    if seeded is None:
        seed_store(store, settings, homes=homes, kinds=("cremation",), pages=pages_per_volume, unsure_share=0.3)
    with store.session() as s, s.begin():
        pages = list(s.scalars(select(Page).order_by(Page.id)))
        assert len(pages) == len(homes) * pages_per_volume
        for page in pages[:photographed]:
            page.steps = PHOTO_STEPS
        photo_pages = {p.id for p in pages[:photographed]}
    stages.remap(store, settings)
    A.draw(store, settings)
    with store.session() as s:
        waiting = list(s.scalars(select(Record).where(Record.status == "needs_review").order_by(Record.id)))
        fixes = [
            r.id
            for r in waiting
            if r.page_id in photo_pages and all(c["confidence"] >= 1.0 for c in r.cells) and r.fields.get("deceased_name")
        ]
        ids = [r.id for r in waiting]
    assert len(fixes) >= wrong_names
    for rid in fixes[:wrong_names]:
        correct_record(store, rid, {"deceased_name": "王小明"}, user="ann", settings=settings)
    for rid in ids:
        approve_as_reviewer(store, rid, "ann", settings)
    return store, settings, ["--config", str(config)]


@pytest.fixture(scope="module")
def captured(tmp_path_factory):
    """_captured(tmp_path, photographed, wrong_names=0, pages_per_volume=12), each store made once per
    module for its arguments and copied to the test's own folder (the seeded registers likewise, once per
    page count): seeding and approving some 400 records cost seconds a test, a copy milliseconds, and
    every step is deterministic (the audit draw is seeded), so each test gets the store its own making
    would give, and works on a copy of its own."""
    seeded: dict[int, Path] = {}
    made: dict[tuple[int, int, int], Path] = {}

    def seed(pages_per_volume: int) -> Path:
        if pages_per_volume not in seeded:
            folder = tmp_path_factory.mktemp(f"refit-seeded-{pages_per_volume}")
            settings = Settings.load(_config(folder))
            store = Store.open(settings)
            homes = ("yantai", "longkou", "haiyang")
            seed_store(store, settings, homes=homes, kinds=("cremation",), pages=pages_per_volume, unsure_share=0.3)
            store.dispose()
            seeded[pages_per_volume] = folder / "data"
        return seeded[pages_per_volume]

    def make(tmp_path: Path, photographed: int, wrong_names: int = 0, pages_per_volume: int = 12):
        key = (photographed, wrong_names, pages_per_volume)
        if key in made:
            config = _config(tmp_path)
            shutil.copytree(made[key], tmp_path / "data")
            settings = Settings.load(config)
            return Store.open(settings), settings, ["--config", str(config)]
        store, settings, data = _captured(tmp_path, photographed, wrong_names, pages_per_volume, seeded=seed(pages_per_volume))
        store.dispose()
        made[key] = tmp_path_factory.mktemp("refit-captured") / "data"
        shutil.copytree(tmp_path / "data", made[key])
        return Store.open(settings), settings, data

    return make


def test_reviewed_photographed_pages_get_thresholds_fitted_on_their_fields_alone(tmp_path, backfill_cli, monkeypatch, captured):
    """21 photographed pages reviewed (of 36): the refit writes a section fitted on the photographed
    pages' reviewed fields only, and the file's own thresholds on the scanned pages' only; the
    administrator is told, Chinese first, per capture kind. Fails before: one joint fit, no section."""
    from pipeline.kernel.thresholds import PHOTOGRAPH, by_capture_pages, capture_pages

    store, settings, data = captured(tmp_path, photographed=21)
    ev = F.gather(store, settings)
    assert ev.captures == {"photograph": 21, "scan": 15}
    fitted: list[set[str]] = []
    real = F.fit_joint

    def spy(obs, *a, **kw):
        fitted.append({F.capture_of(ev, o.record) for o in obs})
        return real(obs, *a, **kw)

    monkeypatch.setattr(F, "fit_joint", spy)
    result = F.refit(store, settings, ev=ev, folds=3)
    assert fitted[0] == {"scan"} and fitted[1] == {"photograph"}  # never one fit over both
    assert all(len(kinds) == 1 for kinds in fitted)  # the folds likewise
    assert set(result.sections) == {PHOTOGRAPH} and result.sections[PHOTOGRAPH]["pages"] == 21
    assert result.captures[PHOTOGRAPH]["routed_by"] == "section"
    monkeypatch.undo()
    text = backfill_cli("calibrate", "--from-reviews", "--user", "boss", "--folds", "3", *data)
    assert "拍照页面：已审核 21 页，已写入只用这类页面拟合的阈值" in text
    assert "扫描页面：已审核 15 页" in text
    path = str(F.thresholds_versions(settings).path_of(1))
    assert by_capture_pages(path) == {PHOTOGRAPH: 21}
    assert capture_pages(path)[PHOTOGRAPH] == 0  # the file's own thresholds stand on no photograph
    assert Settings(thresholds_file=path).fitted_on_capture(PHOTOGRAPH)  # through its section
    store.dispose()


def test_too_few_reviewed_photographed_pages_keep_the_gate(tmp_path, backfill_cli, captured):
    """19 photographed pages reviewed: no section; the file's own thresholds stand on the scanned pages
    alone, so photographed records stay held; the administrator is told how many more to review.
    Fails before: the joint fit stood on the photographed fields too and nothing was said."""
    from pipeline.kernel.thresholds import PHOTOGRAPH, capture_pages

    store, settings, data = captured(tmp_path, photographed=MIN_PAGES - 1)
    text = backfill_cli("calibrate", "--from-reviews", "--user", "boss", "--folds", "3", *data)
    assert f"拍照页面：已审核 {MIN_PAGES - 1} 页，少于 {MIN_PAGES} 页" in text
    path = str(F.thresholds_versions(settings).path_of(1))
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    assert "by_capture" not in doc and capture_pages(path)[PHOTOGRAPH] == 0
    assert doc["fitted_on"]["evidence"]["joint_capture_pages"] == {"scan": 36 - MIN_PAGES + 1}
    assert not Settings(thresholds_file=path).fitted_on_capture(PHOTOGRAPH)
    store.dispose()


def test_a_wrong_photographed_field_read_sure_keeps_its_type_held_on_photographs_only(tmp_path, backfill_cli, captured):
    """Names corrected on photographed records read at confidence 1.0: names are never auto-accepted on
    photographed pages (the refit says why, Chinese first), and the thresholds scanned pages are
    routed by are those of the same reviews without them. Fails before: one joint fit, so the
    photographs' wrong names moved the scans' name threshold, and photographs had no thresholds of their own."""
    from pipeline.kernel.thresholds import PHOTOGRAPH, load_thresholds

    clean_store, clean_settings, _ = captured(tmp_path / "clean", photographed=21)
    clean = F.refit(clean_store, clean_settings, folds=3)
    clean_store.dispose()
    store, settings, data = captured(tmp_path / "wrong", photographed=21, wrong_names=12)
    result = F.refit(store, settings, folds=3)
    assert result.thresholds == clean.thresholds and result.page_limit == clean.page_limit
    photo = result.captures[PHOTOGRAPH]
    assert photo["per_type"]["name"]["threshold"] > 1.0  # above every confidence: never auto-accepted
    assert clean.captures[PHOTOGRAPH]["per_type"]["name"]["threshold"] <= 1.0  # the clean reviews show it
    text = backfill_cli("calibrate", "--from-reviews", "--user", "boss", "--folds", "3", *data)
    assert "  姓名：继续人工核对，已审核记录中有读错的字段" in text
    path = str(F.thresholds_versions(settings).path_of(1))
    assert load_thresholds(path, PHOTOGRAPH)["deceased_name"] > 1.0
    assert load_thresholds(path)["deceased_name"] == clean.thresholds["deceased_name"] <= 1.0
    store.dispose()


def test_reviews_on_photographed_pages_only_fit_photographs_alone_and_keep_the_scans_thresholds(tmp_path, backfill_cli, captured):
    """Every reviewed page photographed (36), none scanned: the photographs get a section fitted on their
    own reviewed fields; the file's own thresholds (scanned pages) cannot be refitted and are kept as in
    use, and the administrator is told so, Chinese first. Before: nothing said of the scans, and the
    report's bound line read "the refit auto-accepts no reviewed record"."""
    from pipeline.kernel.thresholds import PHOTOGRAPH, by_capture_pages, load_thresholds

    store, settings, data = captured(tmp_path, photographed=36)
    assert F.gather(store, settings).captures == {PHOTOGRAPH: 36}
    text = backfill_cli("calibrate", "--from-reviews", "--user", "boss", "--folds", "3", *data)
    assert "扫描页面：没有已审核的扫描页面，文件自身的阈值未重新拟合，沿用当前的" in text, text
    assert "拍照页面：已审核 36 页，已写入只用这类页面拟合的阈值" in text
    assert "the refit auto-accepts no reviewed record" not in text
    path = str(F.thresholds_versions(settings).path_of(1))
    assert by_capture_pages(path) == {PHOTOGRAPH: 36}
    mine, packaged = load_thresholds(path), load_thresholds(None)
    assert {n: mine[n] for n in packaged} == packaged  # the scans' thresholds: those in use (packaged)
    assert Settings(thresholds_file=path).fitted_on_capture(PHOTOGRAPH)
    store.dispose()


def test_too_few_reviewed_photographed_pages_and_no_scan_write_nothing_and_say_why(tmp_path, captured):
    """18 photographed pages reviewed, none scanned: nothing to fit on (no scan for the file's own
    thresholds, too few photographs for a section of their own): `backfill calibrate --from-reviews`
    writes no version and says why, Chinese first, with what to review. Before: a version identical
    to the thresholds in use was written, and nothing said of the scans."""
    import contextlib

    from pipeline.kernel.errors import ERROR_LABELS, ExitCode

    store, settings, data = captured(tmp_path, photographed=18, pages_per_volume=6)
    err = io.StringIO()
    with redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = cli(["calibrate", "--from-reviews", "--user", "boss", "--folds", "3", *data])
    said = err.getvalue()
    assert code == ExitCode.other and "Traceback" not in said, said
    assert said.startswith(f"error: {ERROR_LABELS[ExitCode.other]} / 已审核的记录都不在扫描页面上（拍照页面 18 页）"), said
    assert "hint: 请审核扫描页面的记录，或再审核 2 页同类页面后重新校准" in said
    assert not F.thresholds_versions(settings).list()
    store.dispose()
