"""Batch tagging at corpus scale: input formats, output formats, memory zones, progress,
crash-safe resume, multiprocessing, Dask."""
from __future__ import annotations

import collections
import csv
import gzip
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from campaignnlp import batch
from campaignnlp.batch import Progress, records_to_frame, tag_chunks, tag_documents, to_documents
from campaignnlp.corpus import Document, count_documents, iter_documents
from campaignnlp.sinks import COLUMNS, ChunkSink, OutputError, read_output

CLI = [sys.executable, "-m", "campaignnlp.cli"]

UNITS = ["县委", "市交通运输局", "镇党委", "区教育局", "街道党工委", "市委宣传部"]
ACTS = ["召开专题民主生活会，班子成员开展批评和自我批评。", "组织党员集中学习党章党规。",
        "深入基层调查研究，征求群众意见建议。", "对照检查材料中的问题逐项整改。",
        "建立健全长效机制，推动整改落实。"]


def make_text(i: int) -> str:
    """A short report of our own, different for each i."""
    unit = UNITS[i % len(UNITS)]
    return f"第{i}期简报\n{unit}{ACTS[i % len(ACTS)]}{unit}{ACTS[(i * 7 + 3) % len(ACTS)]}"


def docs(n: int, start: int = 0) -> list[dict]:
    return [{"id": f"d{i:04d}", "text": make_text(i), "year": 2013 + i % 10}
            for i in range(start, start + n)]


def write_jsonl(path: Path, rows, opener=open) -> Path:
    with opener(path, "wt", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    return path


def write_csv(path: Path, rows, opener=open) -> Path:
    with opener(path, "wt", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


# -- inputs ------------------------------------------------------------------------------------

def test_every_input_format_streams_the_same_documents(tmp_path):
    rows = docs(5)
    texts = {r["id"]: r["text"] for r in rows}
    write_jsonl(tmp_path / "a.jsonl", rows)
    write_jsonl(tmp_path / "a.jsonl.gz", rows, gzip.open)
    write_csv(tmp_path / "a.csv", rows)
    write_csv(tmp_path / "a.csv.gz", rows, gzip.open)
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "a.parquet", row_group_size=2)
    import datasets
    datasets.Dataset.from_list(rows).save_to_disk(str(tmp_path / "hf"))
    for name, expected in (("a.jsonl", rows), ("a.jsonl.gz", rows), ("a.csv", rows),
                           ("a.csv.gz", rows), ("a.parquet", rows), ("hf", rows)):
        got = list(iter_documents([tmp_path / name]))
        assert [(d.id, d.text, d.error) for d in got] == [(r["id"], r["text"], None) for r in expected], name
    # extra fields ride along as meta where they come free
    assert next(iter_documents([tmp_path / "a.jsonl.gz"])).meta == {"year": 2013}
    assert next(iter_documents([tmp_path / "a.csv"])).meta == {"year": "2013"}
    # .txt, .txt.gz (GB18030 too), a directory (recursive), a glob the shell did not expand
    (tmp_path / "dir" / "sub").mkdir(parents=True)
    (tmp_path / "dir" / "one.txt").write_text(texts["d0000"], encoding="utf-8")
    (tmp_path / "dir" / "sub" / "two.txt").write_bytes(texts["d0001"].encode("gb18030"))
    (tmp_path / "dir" / "skip.md").write_text("不是文本文件", encoding="utf-8")
    (tmp_path / "z.txt.gz").write_bytes(gzip.compress(texts["d0002"].encode("gb18030")))
    got = list(iter_documents([tmp_path / "dir", tmp_path / "z.txt.gz"]))
    assert [d.text for d in got] == [texts["d0000"], texts["d0001"], texts["d0002"]]
    assert got[1].id == str(tmp_path / "dir" / "sub" / "two.txt")
    pattern = str(tmp_path / "dir" / "**" / "*.txt")
    assert [d.text for d in iter_documents([pattern])] == [texts["d0000"], texts["d0001"]]
    # the --id-field / --text-field names
    write_jsonl(tmp_path / "k.jsonl", [{"key": "x1", "body": "整改。"}])
    write_csv(tmp_path / "k.csv", [{"key": "x1", "body": "整改。"}])
    for name in ("k.jsonl", "k.csv"):
        d = next(iter_documents([tmp_path / name], id_field="key", text_field="body"))
        assert (d.id, d.text) == ("x1", "整改。")


def test_dataset_dict_directory_gives_each_split(tmp_path):
    import datasets
    dd_ = datasets.DatasetDict({"train": datasets.Dataset.from_list(docs(2)),
                                "test": datasets.Dataset.from_list([{"text": "学习。"}])})
    dd_.save_to_disk(str(tmp_path / "dd"))
    got = list(iter_documents([tmp_path / "dd"]))
    assert [d.id for d in got] == ["d0000", "d0001", f"{tmp_path / 'dd'}: test row 1"]


def test_bad_inputs_become_error_records_naming_the_place(tmp_path):
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text('id,text\nr1,召开会议。\nr2,学习,extra\nr3,"整改。"\n', encoding="utf-8")
    nocol = write_csv(tmp_path / "nocol.csv", [{"id": "a", "body": "x"}])
    notpq = tmp_path / "not.parquet"
    notpq.write_text("not parquet", encoding="utf-8")
    gz = tmp_path / "cut.jsonl.gz"
    full = gzip.compress("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in docs(300)).encode())
    gz.write_bytes(full[: len(full) // 2])  # truncated mid-stream
    gz_csv = tmp_path / "cut.csv.gz"
    gz_csv.write_bytes(gzip.compress(b"id,text\n" + "".join(f"c{i},学习。\n" for i in range(5000)).encode())[:300])
    from_csv = list(iter_documents([gz_csv]))
    assert from_csv[0].id == "c0" and from_csv[-1].error and str(gz_csv) in from_csv[-1].error
    assert "cannot read past row" in from_csv[-1].error
    got = list(iter_documents([bad_csv, nocol, notpq, tmp_path / "none*.txt", gz]))
    by_id = {d.id: d for d in got}
    assert [d.id for d in got[:3]] == ["r1", "r2", "r3"]
    assert by_id["r1"].error is None and by_id["r3"].text == "整改。"
    assert f"{bad_csv}:3 (row 2)" in by_id["r2"].error
    assert f"{nocol}:1" in by_id[str(nocol)].error and "'text'" in by_id[str(nocol)].error
    assert str(notpq) in by_id[str(notpq)].error
    assert "no file matches" in by_id[str(tmp_path / "none*.txt")].error
    from_gz = [d for d in got if d.id.startswith("d")]
    assert from_gz and all(d.error is None for d in from_gz)
    last = got[-1]
    assert last.error and f"{gz}:{len(from_gz) + 1}" in last.error  # the line it stopped at


def test_parquet_is_read_by_batches_not_whole(tmp_path, monkeypatch):
    path = tmp_path / "big.parquet"
    pq.write_table(pa.Table.from_pylist(docs(50) * 60), path, row_group_size=1000)

    def whole(*a, **k):
        raise AssertionError("read the whole file")

    monkeypatch.setattr(pq.ParquetFile, "read", whole)
    monkeypatch.setattr(pq, "read_table", whole)
    pulled = []
    real = pq.ParquetFile.iter_batches

    def spy(self, *a, **k):
        for b in real(self, *a, **k):
            pulled.append(b.num_rows)
            yield b

    monkeypatch.setattr(pq.ParquetFile, "iter_batches", spy)
    stream = iter_documents([path])
    next(stream)
    assert len(pulled) == 1 and pulled[0] < 3000  # one batch read to give the first document
    assert 1 + len(list(stream)) == 3000 and len(pulled) >= 3
    assert count_documents([path]) == 3000  # from the metadata, for the progress bar
    assert count_documents([path, tmp_path]) == 3000  # tmp_path: no .txt files
    write_jsonl(tmp_path / "x.jsonl", docs(1))
    assert count_documents([tmp_path / "x.jsonl"]) is None  # would mean reading it


def test_frames_and_datasets_are_read_a_block_at_a_time(monkeypatch):
    frame = pd.DataFrame(docs(2500))
    sizes = []
    real = pd.DataFrame.to_dict

    def spy(self, *a, **k):
        sizes.append(len(self))
        return real(self, *a, **k)

    monkeypatch.setattr(pd.DataFrame, "to_dict", spy)
    got = list(to_documents(frame))
    assert [d.id for d in got] == list(frame["id"]) and max(sizes) <= 1000

    import datasets
    ds = datasets.Dataset.from_list(docs(2500))
    monkeypatch.setattr(datasets.Dataset, "to_list", lambda self: pytest.fail("materialised"))
    monkeypatch.setattr(datasets.Dataset, "to_pandas", lambda self, *a, **k: pytest.fail("materialised"))
    stream = to_documents(ds)
    first = next(stream)
    assert (first.id, first.text) == ("d0000", make_text(0))
    assert len(list(stream)) == 2499


# -- outputs -----------------------------------------------------------------------------------

RECORDS_DOCS = [{"id": "a", "text": make_text(1)}, {"id": "blank", "text": "  "},
                {"id": "bad", "text": None}, {"id": "b", "text": make_text(2)}]


@pytest.fixture(scope="module")
def records(nlp):
    return list(tag_documents(nlp, to_documents(RECORDS_DOCS)))


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
@pytest.mark.parametrize("as_dir", [False, True])
def test_every_output_format_loads_back(tmp_path, nlp, records, fmt, as_dir):
    tagger = nlp.get_pipe("campaign_tagger")
    out = tmp_path / ("out" if as_dir else f"out.{fmt}")
    sink = ChunkSink(out, fmt if as_dir else None, labels=(tagger.stage_labels, tagger.method_labels))
    sink.write(records[:2])
    sink.write(records[2:])
    written = sink.close()
    assert written.is_dir() == as_dir and not (tmp_path / f"out.{fmt}.parts").exists()
    n_sents = {r["id"]: len(r.get("sentences", [])) for r in records}
    if fmt == "jsonl":
        lines = [json.loads(l) for p in sorted(Path(written).glob("part-*")) or [written]
                 for l in p.read_text(encoding="utf-8").splitlines()]
        assert lines == records
        return
    files = sorted(Path(written).glob("part-*")) if as_dir else [written]
    if fmt == "csv":
        frame = pd.concat([pd.read_csv(f, dtype={"doc_id": str}) for f in files], ignore_index=True)
    else:
        frame = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    assert list(frame.columns) == COLUMNS
    counts = frame.groupby("doc_id").size().to_dict()
    assert counts == {"a": n_sents["a"], "b": n_sents["b"], "blank": 1, "bad": 1}
    assert frame.loc[frame.doc_id == "bad", "error"].iloc[0].startswith("item 2")
    assert pd.isna(frame.loc[frame.doc_id == "blank", "sent_index"].iloc[0])
    expected = records_to_frame(records).dropna(subset=["sent_index"])
    got = frame.dropna(subset=["sent_index"]).reset_index(drop=True)
    assert list(got["text"]) == list(expected["text"]) and list(got["stage"]) == list(expected["stage"])
    first = got.iloc[0]
    scores = json.loads(first["stage_scores"]) if fmt == "csv" else first["stage_scores"]
    methods = json.loads(first["methods"]) if fmt == "csv" else list(first["methods"])
    assert scores == expected.iloc[0]["stage_scores"] and methods == expected.iloc[0]["methods"]
    assert abs(first["stage_score"] - scores[first["stage"]]) < 1e-9
    assert len(read_output(written)) == len(frame)


def test_sink_refuses_unfinished_run_without_resume_and_resumes_with_it(tmp_path, records):
    out = tmp_path / "out.jsonl"
    sink = ChunkSink(out)
    sink.write(records[:2])
    (sink.parts_dir / "part-000001.jsonl.tmp").write_text('{"id": "half', encoding="utf-8")
    with pytest.raises(OutputError, match="--resume"):
        ChunkSink(out)
    again = ChunkSink(out, resume=True)
    assert again.done_ids() == {"a", "blank"}
    assert not list(again.parts_dir.glob("*.tmp"))  # the unfinished chunk is gone
    again.write(records[2:])
    again.close()
    # a finished output, resumed with more input: added to, not overwritten
    more = ChunkSink(out, resume=True)
    assert more.done_ids() == {"a", "blank", "bad", "b"}
    more.write([{"id": "c", "sentences": []}])
    more.close()
    ids = [json.loads(l)["id"] for l in out.read_text(encoding="utf-8").splitlines()]
    assert ids == ["a", "blank", "bad", "b", "c"]


# -- memory, progress --------------------------------------------------------------------------

def test_memory_zone_keeps_the_string_store_bounded(nlp, monkeypatch):
    def unique_docs(round_):  # new words every round: latin tokens the vocabulary has not seen
        return [{"id": f"{round_}-{i}", "text": f"会议代号zq{round_}x{i}y。学习文件kw{round_}v{i}。"}
                for i in range(30)]

    nlp.tokenizer.warm_vocabulary()  # the common words stay, by design (tag_chunks does this)
    before = len(nlp.vocab.strings)
    for r in range(3):
        sizes = []
        for chunk in tag_chunks(nlp, to_documents(unique_docs(r)), chunk_size=10, zone_size=20):
            assert len(chunk) == 10 and all("sentences" in rec for rec in chunk)
            sizes.append(len(nlp.vocab.strings))
        # a zone spans two chunks: open after the first, ended after the second; the run's
        # end ends the last one
        assert sizes[0] > before and sizes[1] == before and sizes[2] > before
        assert len(nlp.vocab.strings) == before
    # a consumer that stops early still ends the zone
    stream = tag_chunks(nlp, to_documents(unique_docs(5)), chunk_size=10, zone_size=100)
    next(stream)
    assert len(nlp.vocab.strings) > before
    stream.close()
    assert len(nlp.vocab.strings) == before
    # without the zones the same run grows the store: the checks above can fail
    import contextlib
    monkeypatch.setattr(batch, "memory_zone", lambda nlp: contextlib.nullcontext())
    list(tag_chunks(nlp, to_documents(unique_docs(9)), chunk_size=10))
    assert len(nlp.vocab.strings) > before


def test_progress_lines_when_not_a_terminal_and_silence_when_quiet():
    stream = io.StringIO()
    p = Progress(total=20, stream=stream, interval=0)
    p.update(10, 5000, 1)
    p.write("error: x")
    p.close()
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("10 docs, ") and "docs/s" in lines[0] and "chars/s" in lines[0]
    assert "1 failed" in lines[0] and "ETA" in lines[0] and lines[1] == "error: x"
    quiet = io.StringIO()
    q = Progress(total=20, stream=quiet, interval=0, quiet=True)
    q.update(10, 5000, 1)
    q.write("error: x")
    q.close()
    assert quiet.getvalue() == ""


def test_progress_bar_on_a_terminal():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    stream = Tty()
    p = Progress(total=20, stream=stream, interval=0)
    p.update(10, 5000, 0)
    p.close()
    assert "10/20" in stream.getvalue() and "doc/s" in stream.getvalue()


# -- the command line: failures, resume after kill -9, processes --------------------------------

def run(*args, check=True):
    out = subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True)
    if check and out.returncode not in (0,):
        raise AssertionError(out.stderr)
    return out


def test_cli_failures_summary_progress_and_quiet(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("id,text\nok1,召开民主生活会。\nbad,学习,extra\nok2,整改落实。\n", encoding="utf-8")
    out = tmp_path / "out.parquet"
    proc = run("tag", src, "-o", out, "--chunk-size", "1", "--progress-every", "0", check=False)
    assert proc.returncode == 1
    assert "docs/s" in proc.stderr and "error: " in proc.stderr and f"{src}:3" in proc.stderr
    summary = proc.stderr.strip().splitlines()[-1]
    assert "tagged 2 documents" in summary and "1 failed" in summary and "chars/s" in summary
    frame = pd.read_parquet(out)
    assert sorted(set(frame.doc_id)) == ["bad", "ok1", "ok2"]
    quiet = run("tag", src, "-o", tmp_path / "q.csv", "--quiet", check=False)
    assert quiet.returncode == 1 and quiet.stderr == ""
    refused = run("tag", src, "-o", tmp_path / "q.txt", check=False)
    assert refused.returncode == 2 and "--format" in refused.stderr


def complete_parts(parts: Path) -> list[Path]:
    return [p for p in parts.glob("part-*") if re.fullmatch(r"part-\d{6}\.(jsonl|csv|parquet)", p.name)] \
        if parts.is_dir() else []


def kill_mid_run(tmp_path, out: Path, parts: Path, extra=()):
    src = write_jsonl(tmp_path / "in.jsonl", docs(300))
    args = [*CLI, "tag", str(src), "-o", str(out), "--chunk-size", "20", "--quiet", *extra]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while not complete_parts(parts):  # the first complete chunk is on disk
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    n_parts = len(complete_parts(parts))
    assert not out.is_file() and n_parts < 15, "the run finished before it was killed"
    refused = run("tag", src, "-o", out, check=False)
    assert refused.returncode == 2 and "--resume" in refused.stderr
    resumed = run("tag", src, "-o", out, "--resume", *extra)
    assert f"{n_parts * 20} skipped" in resumed.stderr.splitlines()[-1]
    return src


def test_resume_after_kill_9_jsonl(tmp_path):
    out = tmp_path / "out.jsonl"
    kill_mid_run(tmp_path, out, tmp_path / "out.jsonl.parts")
    ids = [json.loads(l)["id"] for l in out.read_text(encoding="utf-8").splitlines()]
    assert collections.Counter(ids) == collections.Counter(r["id"] for r in docs(300))
    assert not (tmp_path / "out.jsonl.parts").exists()


@pytest.mark.slow
def test_resume_after_kill_9_parquet_directory(tmp_path):
    out = tmp_path / "outdir"
    kill_mid_run(tmp_path, out, out, extra=["--format", "parquet"])
    frame = pd.concat([pd.read_parquet(p) for p in sorted(out.glob("part-*.parquet"))])
    per_doc = frame.groupby("doc_id")["sent_index"].apply(list)
    assert set(per_doc.index) == {r["id"] for r in docs(300)}
    for doc_id, idx in per_doc.items():  # each document's sentences once, complete
        assert idx == list(range(len(idx))), doc_id


def test_resume_after_kill_9_csv(tmp_path):
    out = tmp_path / "out.csv"
    kill_mid_run(tmp_path, out, tmp_path / "out.csv.parts")
    frame = pd.read_csv(out, dtype={"doc_id": str})
    per_doc = frame.groupby("doc_id")["sent_index"].apply(list)
    assert set(per_doc.index) == {r["id"] for r in docs(300)}
    for doc_id, idx in per_doc.items():
        assert idx == list(range(len(idx))), doc_id


def test_two_processes_give_the_same_output_as_one(tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", docs(64))
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    run("tag", src, "-o", one, "-q", "--batch-size", "8", "--chunk-size", "32")
    run("tag", src, "-o", two, "-q", "--batch-size", "8", "--chunk-size", "32", "--n-process", "2")
    a = one.read_text(encoding="utf-8")
    assert a == two.read_text(encoding="utf-8") and a.count("\n") == 64
    assert all(json.loads(l)["sentences"] for l in a.splitlines())  # extensions came back


_REAL_WORKER_TAG = batch._worker_tag


def die_on_marker(items, batch_size, zone_size):
    """A worker task that kills its process when a text holds the marker (the OOM killer)."""
    if any("崩溃" in text for _, text in items):
        os._exit(1)
    return _REAL_WORKER_TAG(items, batch_size, zone_size)


def test_parallel_workers_same_records_and_survive_a_dead_worker(nlp, monkeypatch):
    items = docs(40)
    expected = list(tag_documents(nlp, to_documents(items)))
    chunks = list(tag_chunks(nlp, to_documents(items), chunk_size=16, batch_size=4, n_process=2))
    assert [len(c) for c in chunks] == [16, 16, 8] and sum(chunks, []) == expected
    items[21]["text"] += "崩溃"
    monkeypatch.setattr(batch, "_worker_tag", die_on_marker)
    here = []  # batches tagged in this process (the workers' calls are counted in theirs)
    real = batch._tag_chunk
    monkeypatch.setattr(batch, "_tag_chunk",
                        lambda nlp, docs, *a, **kw: here.append(len(docs)) or real(nlp, docs, *a, **kw))
    got = sum(tag_chunks(nlp, to_documents(items), chunk_size=16, batch_size=4, n_process=2), [])
    assert [r["id"] for r in got] == [r["id"] for r in expected]
    assert all("sentences" in r for r in got)  # the dead worker's batches were tagged here
    assert here and sum(here) < 40  # ...and only those


# -- Dask -----------------------------------------------------------------------------------

def test_dask_local_cluster_matches_in_process(nlp):
    distributed = pytest.importorskip("distributed")
    import dask.bag as db
    import dask.dataframe as dd

    from campaignnlp.dask import tag_bag, tag_dataframe

    items = docs(6)
    strings = [make_text(i) for i in range(3)]
    expected = list(tag_documents(nlp, to_documents(items)))
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster, \
            distributed.Client(cluster):
        got = tag_bag(db.from_sequence(items, npartitions=2)).compute()
        assert got == expected
        got_strings = tag_bag(db.from_sequence(strings, npartitions=2)).compute()
        assert [r["id"] for r in got_strings] == ["0:0", "0:1", "1:0"]
        frame = pd.DataFrame(items)
        rows = tag_dataframe(dd.from_pandas(frame, npartitions=3), "text", "id").compute()
    want = records_to_frame(expected)
    assert list(rows["doc_id"]) == list(want["doc_id"]) and list(rows["stage"]) == list(want["stage"])
    assert list(rows["text"]) == list(want["text"])


def test_common_words_learnt_saved_and_kept_across_memory_zones(tmp_path):
    # Training records the genre's frequent words with the tokenizer; batch tagging makes them
    # permanent lexemes before its memory zones, so zones stop re-creating them.
    import campaignnlp
    from campaignnlp import training
    from campaignnlp.corpus import Annotated

    text = "一、学习阶段\n读书读书。\n二、行动阶段\n修路。\n"
    spans = [{"start": 0, "end": 6, "stage": "A", "methods": ["读"]},
             {"start": 7, "end": 12, "stage": "A", "methods": ["读"]},
             {"start": 13, "end": 19, "stage": "B", "methods": []},
             {"start": 20, "end": 23, "stage": "B", "methods": ["修"]}]
    nlp = training.train([Annotated(id=f"d{k}", text=text, spans=spans) for k in range(6)])
    words = nlp.tokenizer.common_words
    assert words and len(words) == len(set(words)) and "读书" in words
    assert words.index("读书") < words.index("修路")  # twice per document against once
    training.save(nlp, tmp_path / "m")
    loaded = campaignnlp.load(tmp_path / "m")
    assert loaded.tokenizer.common_words == words
    assert "读书" not in loaded.vocab.strings  # nothing made permanent on load
    with loaded.memory_zone():
        loaded("读书。")
    assert "读书" not in loaded.vocab.strings  # a zone frees what it made
    records = [r for chunk in tag_chunks(loaded, [Document(id="x", text="读书。")]) for r in chunk]
    assert records[0]["sentences"][0]["text"] == "读书。"
    assert all(w in loaded.vocab.strings for w in words)  # warmed before the zones: still there
