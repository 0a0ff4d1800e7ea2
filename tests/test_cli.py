"""The command line, as run from a shell."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from campaignnlp.labels import METHODS, STAGES

from .conftest import EXAMPLES

CLI = [sys.executable, "-m", "campaignnlp.cli"]


def run(*args, check=True):
    out = subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True)
    if check and out.returncode != 0:
        raise AssertionError(out.stderr)
    return out


def read(path):
    return [json.loads(l) for l in Path(path).read_text(encoding="utf-8").splitlines()]


def check_record(record, text):
    assert set(record) == {"id", "sentences"}
    last = 0
    for s in record["sentences"]:
        assert last <= s["start"] < s["end"] <= len(text)
        assert text[s["start"]:s["end"]] == s["text"]
        assert s["stage"] in STAGES and set(s["methods"]) <= set(METHODS)
        assert set(s["stage_scores"]) == set(STAGES) and set(s["method_scores"]) == set(METHODS)
        last = s["end"]
    assert "".join(text[s["start"]:s["end"]] for s in record["sentences"]) == "".join(text.split())


def test_tag_txt_directory_and_jsonl(tmp_path):
    txt = EXAMPLES / "reports" / "township_rectification.txt"
    out = tmp_path / "out.jsonl"
    run("tag", txt, EXAMPLES / "reports", EXAMPLES / "news.jsonl", "-o", out)
    records = read(out)
    ids = [r["id"] for r in records]
    assert ids[0] == str(txt)  # a .txt file's id is its path as given
    assert len(ids) == 1 + 3 + 3 and ids[-3:] == ["news-001", "news-002", "news-003"]
    assert check_record(records[0], txt.read_text(encoding="utf-8")) is None
    news = {json.loads(l)["id"]: json.loads(l)["text"] for l in open(EXAMPLES / "news.jsonl", encoding="utf-8")}
    for r in records[-3:]:
        check_record(r, news[r["id"]])


def test_bad_jsonl_lines_are_reported_and_the_rest_tagged(tmp_path):
    src = tmp_path / "mixed.jsonl"
    src.write_text('{"id": "ok1", "text": "召开民主生活会。"}\n{broken\n{"id": "nt"}\n'
                   '{"id": "ok2", "text": "  "}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    proc = run("tag", src, "-o", out, check=False)
    assert proc.returncode == 1  # some documents failed
    records = read(out)
    assert [r["id"] for r in records] == ["ok1", f"{src}:2", "nt", "ok2"]
    assert f"{src}:2" in records[1]["error"] and f"{src}:3" in records[2]["error"]
    assert len(records[0]["sentences"]) == 1 and records[3]["sentences"] == []
    assert "2 failed" in proc.stderr


def test_missing_input_is_an_error_record(tmp_path):
    out = tmp_path / "out.jsonl"
    proc = run("tag", tmp_path / "nope.txt", "-o", out, check=False)
    assert proc.returncode == 1 and "no such file" in read(out)[0]["error"]


def test_train_save_load_tag_round_trip(tmp_path, shared):
    model = tmp_path / "model"
    proc = run("train", "--train", shared / "gold" / "seeds.jsonl", "--dev",
               shared / "gold" / "seeds.jsonl", "-o", model)
    assert "dev: stage accuracy" in proc.stderr
    manifest = json.loads((model / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["training_data"]["documents"] == 3
    assert set(manifest["labels"]["stages"]) <= set(STAGES)
    assert "campaign_tagger/stage_head.joblib" in manifest["checksums"]
    out = tmp_path / "out.jsonl"
    run("tag", EXAMPLES / "news.jsonl", "-o", out, "--model", model)  # a fresh process loads it
    assert len(read(out)) == 3
    proc = run("evaluate", model, shared / "gold" / "seeds.jsonl", "--json")
    result = json.loads(proc.stdout)
    assert result["n_sentences"] == 113 and result["stage"]["accuracy"] > 0.8


def test_train_custom_label_set(tmp_path):
    text = "一、学习阶段\n读书。\n二、行动阶段\n修路。\n"
    docs = []
    for k in range(8):
        spans = [{"start": 0, "end": 6, "stage": "A", "methods": ["读"]},
                 {"start": 7, "end": 10, "stage": "A", "methods": ["读"]},
                 {"start": 11, "end": 17, "stage": "B", "methods": []},
                 {"start": 18, "end": 21, "stage": "B", "methods": ["修"]}]
        docs.append({"id": f"d{k}", "text": text, "spans": spans})
    data = tmp_path / "custom.jsonl"
    data.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in docs), encoding="utf-8")
    model = tmp_path / "m"
    run("train", "--train", data, "-o", model)
    manifest = json.loads((model / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["labels"] == {"stages": ["A", "B"], "methods": ["修", "读"]}


def test_train_rejects_bad_annotations_with_place(tmp_path):
    data = tmp_path / "bad.jsonl"
    data.write_text('{"id": "a", "text": "abc", "spans": [{"start": 0, "end": 9, "stage": "其他"}]}\n',
                    encoding="utf-8")
    proc = run("train", "--train", data, "-o", tmp_path / "m", check=False)
    assert proc.returncode == 2 and f"{data}:1" in proc.stderr and "outside the text" in proc.stderr


@pytest.mark.parametrize("args", [["--help"], ["tag", "--help"]])
def test_help(args):
    assert "Usage" in run(*args).stdout


def test_codebook_labels_flag_rejects_other_labels(tmp_path):
    data = tmp_path / "custom.jsonl"
    data.write_text('{"id": "a", "text": "整改。", "spans": [{"start": 0, "end": 3, "stage": "整改"}]}\n',
                    encoding="utf-8")
    proc = run("train", "--train", data, "-o", tmp_path / "m", "--codebook-labels", check=False)
    assert proc.returncode == 2 and f"{data}:1" in proc.stderr and "did you mean '整改落实'" in proc.stderr
