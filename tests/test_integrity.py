import shutil

import pytest

import campaignnlp


@pytest.fixture
def model_copy(tmp_path):
    dst = tmp_path / "m"
    shutil.copytree(campaignnlp.default_model_path(), dst)
    return dst


def test_manifest_lists_every_file(model_copy):
    import json
    manifest = json.loads((model_copy / "manifest.json").read_text(encoding="utf-8"))
    files = {p.relative_to(model_copy).as_posix() for p in model_copy.rglob("*")
             if p.is_file() and p.name != "manifest.json"}
    assert set(manifest["checksums"]) == files
    for key in ("labels", "training_data", "metrics", "version"):
        assert manifest[key]


def test_tampered_head_is_refused_before_unpickling(model_copy):
    head = model_copy / "campaign_tagger" / "stage_head.joblib"
    head.write_bytes(head.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(ValueError, match="checksum mismatch"):
        campaignnlp.load(model_copy)


def test_missing_file_is_reported(model_copy):
    (model_copy / "campaign_tagger" / "methods_head.joblib").unlink()
    with pytest.raises(FileNotFoundError, match="methods_head.joblib"):
        campaignnlp.load(model_copy)
