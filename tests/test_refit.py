"""Thresholds refitted from reviews (issue 23): `backfill calibrate --from-reviews` writes a versioned
file (who, when, which evidence) cross-validated by volume; `backfill remap --thresholds` applies it,
`--rollback` goes back; the versions stay."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout

import pytest
from reviewing import approve_as_reviewer
from sqlalchemy import select

from pipeline.cli import main as cli
from pipeline.kernel.config import Settings
from pipeline.kernel.store import AuditSample, Record, Store
from pipeline.quality import audit as A
from pipeline.quality import refit as F
from pipeline.quality.calibration import thresholds_doc
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
    assert "v1" in listed and "boss" in listed and "<- in use" in listed.splitlines()[0]


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


def test_an_explicit_thresholds_setting_is_not_silently_overridden(tmp_path):
    settings = Settings(data_dir=str(tmp_path / "d"), thresholds_file="")
    store = Store.open(settings)
    F.thresholds_versions(settings).write(thresholds_doc({}, 0.0015, {}), user="boss")
    with pytest.raises(Exception, match="thresholds_file"):
        stages.apply_version(store, settings, "v1", user="boss")
    store.dispose()
