"""A pipeline directory is checked before anything in it is unpickled.

The "payload" below is a pickle that creates a marker file when it is unpickled: each test that
refuses a pipeline also shows the marker was never created, i.e. nothing was unpickled.
"""
import json
import shutil
import warnings

import joblib
import pytest
import spacy

import campaignnlp
from campaignnlp.integrity import (MANIFEST, IntegrityError, VersionSkewWarning, checksums,
                                   verify_pipeline)

HEAD = "campaign_tagger/stage_head.joblib"


@pytest.fixture
def model_copy(tmp_path):
    dst = tmp_path / "m"
    shutil.copytree(campaignnlp.default_model_path(), dst)
    return dst


class _Payload:
    """Unpickling this runs ``open(marker, "w")``: what a malicious pickle could do."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return open, (self.marker, "w")


@pytest.fixture
def payload(tmp_path):
    """(write the payload to a path, the marker file that unpickling it creates)"""
    marker = tmp_path / "UNPICKLED"

    def write(path):
        joblib.dump(_Payload(marker), path)
        return path

    return write, marker


def _manifest(model):
    return json.loads((model / MANIFEST).read_text(encoding="utf-8"))


def _write_manifest(model, manifest):
    (model / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def test_manifest_lists_every_file(model_copy):
    manifest = _manifest(model_copy)
    files = {p.relative_to(model_copy).as_posix() for p in model_copy.rglob("*")
             if p.is_file() and p.name != "manifest.json"}
    assert set(manifest["checksums"]) == files
    for key in ("labels", "training_data", "metrics", "version"):
        assert manifest[key]
    assert verify_pipeline(model_copy) == manifest


def test_the_payload_runs_when_unpickled(tmp_path, payload):
    """The proof below is only worth something if unpickling the payload leaves the marker."""
    write, marker = payload
    joblib.load(write(tmp_path / "p.joblib")).close()
    assert marker.exists()


def test_tampered_head_is_refused_before_unpickling(model_copy, payload):
    write, marker = payload
    write(model_copy / HEAD)
    with pytest.raises(ValueError, match="stage_head.joblib: checksum mismatch.*nothing was loaded"):
        campaignnlp.load(model_copy)
    # spacy.load skips the manifest; the component checks its own files before unpickling
    with pytest.raises(ValueError, match="stage_head.joblib: checksum mismatch"):
        spacy.load(model_copy)
    assert not marker.exists()


def test_corrupted_byte_is_refused(model_copy):
    head = model_copy / HEAD
    data = bytearray(head.read_bytes())
    data[len(data) // 2] ^= 1
    head.write_bytes(bytes(data))
    with pytest.raises(IntegrityError, match="checksum mismatch"):
        campaignnlp.load(model_copy)


def test_missing_file_is_reported(model_copy):
    (model_copy / "campaign_tagger" / "methods_head.joblib").unlink()
    with pytest.raises(FileNotFoundError, match="methods_head.joblib: listed in the manifest"):
        campaignnlp.load(model_copy)


def test_extra_pickle_is_refused(model_copy, payload):
    write, marker = payload
    extra = write(model_copy / "campaign_tagger" / "extra_head.joblib")
    with pytest.raises(IntegrityError, match="extra_head.joblib: not in the manifest"):
        campaignnlp.load(model_copy)
    assert not marker.exists()
    extra.unlink()
    (model_copy / ".DS_Store").write_bytes(b"\x00")  # operating-system litter is not refused
    assert campaignnlp.load(model_copy).pipe_names == ["campaign_senter", "campaign_tagger"]


def test_missing_manifest_is_refused(model_copy, payload):
    write, marker = payload
    write(model_copy / HEAD)
    (model_copy / MANIFEST).unlink()
    with pytest.raises(FileNotFoundError, match="no manifest.*nothing was loaded"):
        campaignnlp.load(model_copy)
    assert not marker.exists()


@pytest.mark.parametrize("change,message", [
    (lambda m: m.pop("checksums"), "lists no checksums"),
    (lambda m: m.update(checksums={}), "lists no checksums"),
    (lambda m: m["checksums"].update({"../outside.joblib": "0" * 64}), "outside the pipeline"),
])
def test_manifest_that_checks_nothing_is_refused(model_copy, payload, change, message):
    write, marker = payload
    write(model_copy / HEAD)
    manifest = _manifest(model_copy)
    change(manifest)
    _write_manifest(model_copy, manifest)
    with pytest.raises(IntegrityError, match=message):
        campaignnlp.load(model_copy)
    assert not marker.exists()


def test_component_without_checksums_refuses_to_unpickle(model_copy, payload):
    # spacy.load does not read the manifest: the component's own cfg.json must list its heads
    write, marker = payload
    write(model_copy / HEAD)
    cfg_path = model_copy / "campaign_tagger" / "cfg.json"
    cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
    del cfg["sha256"]["stage_head.joblib"]
    cfg_path.write_text(json.dumps(cfg, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValueError, match="no sha256 for stage_head.joblib"):
        spacy.load(model_copy)
    assert not marker.exists()


def test_unreadable_manifest_is_refused(model_copy):
    (model_copy / MANIFEST).write_text("{not json", encoding="utf-8")
    with pytest.raises(IntegrityError, match="not a readable manifest"):
        campaignnlp.load(model_copy)


# -- version skew ---------------------------------------------------------------------------
OLD_SKLEARN, OLD_SPACY = "1.2.2", "3.7.2"


@pytest.fixture
def skewed_model(model_copy, monkeypatch):
    """The shipped pipeline as if saved with scikit-learn 1.2.2 and spaCy 3.7.2: heads pickled
    claiming the old scikit-learn (each estimator inside records it), cfg.json, meta.json and
    manifest saying so, checksums updated."""
    import sklearn.base

    tagger = model_copy / "campaign_tagger"
    with monkeypatch.context() as m, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # loading today's heads under the pretend version
        m.setattr(sklearn.base, "__version__", OLD_SKLEARN)
        for name in ("stage_head.joblib", "methods_head.joblib"):
            joblib.dump(joblib.load(tagger / name), tagger / name, compress=3)
    cfg = json.loads((tagger / "cfg.json").read_text(encoding="utf-8"))
    cfg["versions"].update({"scikit-learn": OLD_SKLEARN, "spacy": OLD_SPACY})
    cfg["sha256"] = {name: checksums(tagger)[name] for name in cfg["sha256"]}
    (tagger / "cfg.json").write_text(json.dumps(cfg, ensure_ascii=False), encoding="utf-8")
    meta = json.loads((model_copy / "meta.json").read_text(encoding="utf-8"))
    meta["spacy_version"] = f">={OLD_SPACY},<3.8.0"
    (model_copy / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    manifest = _manifest(model_copy)
    manifest.update({"scikit-learn": OLD_SKLEARN, "spacy": OLD_SPACY,
                     "checksums": checksums(model_copy)})
    _write_manifest(model_copy, manifest)
    return model_copy


def test_version_skew_gives_one_warning_with_what_to_do(skewed_model):
    import sklearn
    from sklearn.exceptions import InconsistentVersionWarning

    # without our guard, unpickling one head alone is a wall of scikit-learn warnings
    with warnings.catch_warnings(record=True) as wall:
        warnings.simplefilter("always")
        joblib.load(skewed_model / HEAD)
    assert sum(issubclass(w.category, InconsistentVersionWarning) for w in wall) > 3

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        nlp = campaignnlp.load(skewed_model)
    relevant = [w for w in caught if not issubclass(w.category, DeprecationWarning)]
    assert [w.category for w in relevant] == [VersionSkewWarning], [str(w.message) for w in relevant]
    text = str(relevant[0].message)
    for expected in (f"scikit-learn {OLD_SKLEARN}", f"spacy {OLD_SPACY}", sklearn.__version__,
                     spacy.__version__, "retrain", "pin",
                     f"scikit-learn=={OLD_SKLEARN}", f"spacy=={OLD_SPACY}"):
        assert expected in text, (expected, text)
    assert nlp("县委召开专题民主生活会。").spans["campaign"]  # and it still works

    # spacy.load directly: spaCy adds its own W095 about meta.json, but no wall either
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        spacy.load(skewed_model)
    categories = [w.category for w in caught]
    assert categories.count(VersionSkewWarning) == 1 and InconsistentVersionWarning not in categories


def test_same_versions_give_no_warning(model_copy):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        campaignnlp.load(model_copy)
    assert not [w for w in caught if issubclass(w.category, (VersionSkewWarning, UserWarning))]
