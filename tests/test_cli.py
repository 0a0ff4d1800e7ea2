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


# -- retraining workflow: formats, export, suggest, evaluate --cv, review -----------------------

def _write(docs, path, fmt):
    from campaignnlp.formats import write_documents
    write_documents(docs, path, fmt)
    return path


def test_train_custom_label_set_through_labelstudio_and_doccano(tmp_path):
    from campaignnlp.corpus import Annotated
    text = "一、学习阶段\n读书。\n二、行动阶段\n修路。\n"
    spans = [{"start": 0, "end": 6, "stage": "A", "methods": ["读"]},
             {"start": 7, "end": 10, "stage": "A", "methods": ["读"]},
             {"start": 11, "end": 17, "stage": "B", "methods": []},
             {"start": 18, "end": 21, "stage": "B", "methods": ["修"]}]
    docs = [Annotated(id=f"d{k}", text=text, spans=[dict(s) for s in spans]) for k in range(8)]
    train = _write(docs[:6], tmp_path / "train.json", "labelstudio")
    dev = _write(docs[6:], tmp_path / "dev.jsonl", "doccano")
    model = tmp_path / "m"
    proc = run("train", "--train", train, "--dev", dev, "-o", model)
    manifest = json.loads((model / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["labels"] == {"stages": ["A", "B"], "methods": ["修", "读"]}
    assert "dev: stage accuracy 1.000" in proc.stderr
    proc = run("evaluate", model, dev, "--json")
    assert json.loads(proc.stdout)["n_sentences"] == 8


def test_convert_and_unaligned_warning(tmp_path):
    src = tmp_path / "a.jsonl"
    src.write_text(json.dumps({"id": "x", "text": "学习文件。召开民主生活会。", "spans": [
        {"start": 0, "end": 4, "stage": "学习教育", "methods": ["理论学习"]},
        {"start": 5, "end": 13, "stage": "查摆问题", "methods": []}]}, ensure_ascii=False) + "\n",
        encoding="utf-8")
    out = tmp_path / "b.jsonl"
    proc = run("convert", src, out, "--to", "prodigy")
    assert f"warning: {src}:1: document 'x' (offset 0)" in proc.stderr and "aligned to unit(s) 0-5" in proc.stderr
    row = read(out)[0]
    assert row["meta"]["doc_id"] == "x" and row["spans"][0] == {"start": 0, "end": 5, "label": "学习教育"}
    back = tmp_path / "c.jsonl"
    run("convert", out, back, "--to", "codebook", "--from", "prodigy")
    assert read(back)[0]["spans"][0] == {"start": 0, "end": 5, "stage": "学习教育", "methods": ["理论学习"]}
    proc = run("convert", src, out, "--to", "brat", check=False)
    assert proc.returncode == 2 and "'brat' is not a format" in proc.stderr


@pytest.mark.parametrize("fmt", ["labelstudio", "doccano"])
def test_export_writes_pre_annotated_tasks_that_load_back(tmp_path, fmt):
    from campaignnlp.formats import read_documents
    out = tmp_path / ("tasks.json" if fmt == "labelstudio" else "tasks.jsonl")
    run("export", EXAMPLES / "news.jsonl", "--to", fmt, "-o", out)
    docs = read_documents([out], fmt=fmt)
    news = {json.loads(l)["id"]: json.loads(l)["text"] for l in open(EXAMPLES / "news.jsonl", encoding="utf-8")}
    assert [d.id for d in docs] == list(news) and all(d.text == news[d.id] for d in docs)
    assert all(d.spans and d.spans[0]["stage"] in STAGES for d in docs)
    if fmt == "labelstudio":
        task = json.loads(out.read_text(encoding="utf-8"))[0]
        assert "annotations" not in task and 0 < task["predictions"][0]["score"] <= 1
        assert (tmp_path / "tasks.config.xml").exists()


def test_suggest_output_loads_in_the_target_format(tmp_path, shared):
    from campaignnlp.formats import read_documents
    corpus = tmp_path / "corpus.jsonl"  # a slice of the shared corpus, read at test time
    with open(shared / "corpus" / "xwlb_campaign.jsonl", encoding="utf-8") as f:
        corpus.write_text("".join(next(f) for _ in range(12)), encoding="utf-8")
    out = tmp_path / "pick.jsonl"
    proc = run("suggest", corpus, "-n", "10", "--to", "prodigy", "-o", out, "--strategy", "entropy")
    assert "picked 10 sentences" in proc.stderr
    docs = read_documents([out], fmt="prodigy")
    assert sum(len(d.spans) for d in docs) == 10
    assert all("answer" not in r for r in read(out))  # tasks to annotate, not answers


def test_evaluate_cv_learning_curve_and_plots(tmp_path):
    from .test_active import synthetic_docs
    data = _write(synthetic_docs(12), tmp_path / "gold.json", "labelstudio")
    out, plots = tmp_path / "cv.json", tmp_path / "plots"
    run("evaluate", "--cv", "3", data, "-o", out, "--plots", plots, "--fractions", "0.25,0.5,1")
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["k"] == 3 and result["n_documents"] == 12
    points = result["learning_curve"]["points"]
    assert [p["fraction"] for p in points] == [0.25, 0.5, 1.0]
    assert [p["train_documents"] for p in points] == [2.0, 4.0, 8.0]
    assert {"stage_macro_f1", "methods_micro_f1", "train_sentences", "stage_macro_f1_std"} <= set(points[0])
    assert points[-1]["stage_macro_f1"] == result["stage"]["macro_f1"]
    for name in ("confusion.png", "learning_curve.png"):
        assert (plots / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    run("evaluate", "--cv", "3", data, "-o", out, "--no-learning-curve")
    assert "learning_curve" not in json.loads(out.read_text(encoding="utf-8"))


def test_evaluate_cv_with_train_only_documents(tmp_path):
    from campaignnlp.evaluation import cross_validate
    from .test_active import synthetic_docs
    docs = synthetic_docs(14)
    data = _write(docs[:9], tmp_path / "gold.jsonl", "doccano")
    extra = _write(docs[9:], tmp_path / "silver.jsonl", "codebook")
    out = tmp_path / "cv.json"
    run("evaluate", "--cv", "3", data, "--train-only", extra, "-o", out, "--fractions", "0.5,1")
    result = json.loads(out.read_text(encoding="utf-8"))
    # scored: the 9 documents only; trained on 6 of them + the 5 extra in each fold
    assert result["n_documents"] == 9 and result["train_only_documents"] == 5
    assert result["n_sentences"] == sum(len(d.spans) for d in docs[:9])
    assert [p["train_documents"] for p in result["learning_curve"]["points"]] == [6.0, 11.0]  # half of 11, rounded
    seen = []
    cross_validate(docs[:9], lambda train, test: seen.append(len(train)) or
                   (["其他"] * sum(len(d.spans) for d in test), [[]] * sum(len(d.spans) for d in test)),
                   k=3, train_only=docs[9:])
    assert seen == [11, 11, 11]
    with pytest.raises(ValueError, match="both scored and train-only"):
        cross_validate(docs[:9], None, k=3, train_only=docs[8:])
    proc = run("evaluate", "models/campaignnlp_zh", data, "--train-only", extra, check=False)
    assert proc.returncode == 2 and "--train-only needs --cv" in proc.stderr


def test_train_with_train_only_documents(tmp_path):
    from .test_active import synthetic_docs
    docs = synthetic_docs(14)
    data = _write(docs[:9], tmp_path / "gold.jsonl", "codebook")
    extra = _write(docs[9:], tmp_path / "negatives.jsonl", "codebook")
    model = tmp_path / "model"
    run("train", "--train", data, "--train-only", extra, "--cv", "3", "-o", model)
    manifest = json.loads((model / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["training_data"]["documents"] == 14  # fitted on both
    cv = manifest["metrics"]["cross_validation"]
    assert cv["n_documents"] == 9 and cv["train_only_documents"] == 5  # scored on --train only
    assert cv["n_sentences"] == sum(len(d.spans) for d in docs[:9])
    # a document in both is refused before any fitting
    proc = run("train", "--train", data, "--train-only", data, "--cv", "3", "-o", tmp_path / "m2",
               check=False)
    assert proc.returncode == 2 and "both scored and train-only" in proc.stderr
    assert not (tmp_path / "m2").exists()


def test_review_flags_corrupted_label(tmp_path):
    from campaignnlp.formats import read_documents
    from .test_active import corrupt, synthetic_docs
    docs, span = corrupt(synthetic_docs(15))
    data = _write(docs, tmp_path / "gold.jsonl", "doccano")
    out, preds = tmp_path / "flags.csv", tmp_path / "oof.jsonl"
    proc = run("review", data, "-o", out, "--cv", "3", "--to", "labelstudio", "--predictions", preds)
    assert "flagged" in proc.stderr and preds.exists()
    rows = out.read_text(encoding="utf-8-sig").splitlines()
    assert rows[1].split(",")[1:4] == ["syn-05", str(span["start"]), str(span["end"])]
    tasks = read_documents([tmp_path / "flags.tasks.json"])
    assert tasks[0].id == "syn-05"
    proc = run("review", data, "-o", tmp_path / "again.jsonl", "--predictions", preds)  # no CV
    assert "read 60 out-of-fold predictions" in proc.stderr and read(tmp_path / "again.jsonl")[0]["doc_id"] == "syn-05"


def test_tag_glob_and_gzip_inputs_to_csv_rows(tmp_path):
    import gzip

    import pandas as pd

    (tmp_path / "in").mkdir()
    for k, text in enumerate(["区委召开动员部署会议。\n党员干部集中学习。", "对照检查，逐项整改。"]):
        (tmp_path / "in" / f"r{k}.txt.gz").write_bytes(gzip.compress(text.encode("utf-8")))
    out = tmp_path / "rows.csv"
    run("tag", tmp_path / "in" / "*.txt.gz", "-o", out, "-q")  # the pattern, as a shell leaves it quoted
    frame = pd.read_csv(out, dtype={"doc_id": str})
    assert sorted(set(frame.doc_id)) == [str(tmp_path / "in" / f"r{k}.txt.gz") for k in (0, 1)]
    assert list(frame.text) == ["区委召开动员部署会议。", "党员干部集中学习。", "对照检查，逐项整改。"]
    assert all(set(json.loads(m)) <= set(METHODS) for m in frame.methods)
