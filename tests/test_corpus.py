import json

import pytest

from campaignnlp.corpus import AnnotationError, iter_documents, read_annotations
from campaignnlp.labels import METHODS, STAGES


def write(path, records):
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)
                              for r in records) + "\n", encoding="utf-8")
    return path


def test_jsonl_errors_name_file_and_line(tmp_path):
    p = write(tmp_path / "in.jsonl", [{"id": "a", "text": "好。"}, "{not json", {"id": "c"},
                                      {"id": "d", "text": "好。"}])
    docs = list(iter_documents([p]))
    assert [d.id for d in docs if d.error is None] == ["a", "d"]
    errors = [d.error for d in docs if d.error]
    assert f"{p}:2" in errors[0] and "not valid JSON" in errors[0]
    assert f"{p}:3" in errors[1] and "'text'" in errors[1]


def test_txt_gb18030_bom_crlf(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.txt").write_bytes("整改落实。\r\n第二行".encode("gb18030"))
    (tmp_path / "d" / "b.txt").write_bytes("\ufeff学习教育。".encode("utf-8"))
    docs = {d.id: d.text for d in iter_documents([tmp_path / "d"])}
    assert docs[str(tmp_path / "d" / "a.txt")] == "整改落实。\n第二行"
    assert docs[str(tmp_path / "d" / "b.txt")] == "学习教育。"


@pytest.mark.parametrize("span,message", [
    ({"start": 0, "end": 99, "stage": "其他", "methods": []}, "outside the text"),
    ({"start": 0, "end": 2, "stage": "整改", "methods": []}, "did you mean '整改落实'"),
    ({"start": 0, "end": 2, "stage": "其他", "methods": ["理论学"]}, "unknown method"),
])
def test_bad_spans_are_reported_with_place(tmp_path, span, message):
    p = write(tmp_path / "gold.jsonl", [{"id": "x", "text": "学习教育。", "spans": [span]}])
    with pytest.raises(AnnotationError) as e:
        read_annotations([p], STAGES, METHODS)
    assert f"{p}:1" in str(e.value) and "'x'" in str(e.value) and message in str(e.value)


def test_overlap_and_duplicate_ids(tmp_path):
    spans = [{"start": 0, "end": 3, "stage": "其他"}, {"start": 2, "end": 5, "stage": "其他"}]
    p = write(tmp_path / "o.jsonl", [{"id": "x", "text": "学习教育。", "spans": spans}])
    with pytest.raises(AnnotationError, match="overlap"):
        read_annotations([p])
    q = write(tmp_path / "d.jsonl", [{"id": "x", "text": "a", "spans": []}] * 2)
    with pytest.raises(AnnotationError, match=r"d.jsonl:2.*duplicate"):
        read_annotations([q])


def test_standoff_joins_and_refuses_changed_text(tmp_path):
    import hashlib

    from campaignnlp.corpus import read_standoff
    text = "一是领导带头学。二是专家授课学。"
    corpus = write(tmp_path / "corpus.jsonl", [{"id": "a", "text": text}])
    spans = [{"start": 0, "end": 8, "stage": "学习教育", "methods": ["领导带头"]}]
    good = write(tmp_path / "ann.jsonl", [{"id": "a", "sha1": hashlib.sha1(text.encode()).hexdigest(),
                                           "spans": spans}])
    (doc,) = read_standoff([good], [corpus])
    assert doc.text[0:8] == "一是领导带头学。" and doc.spans[0]["methods"] == ["领导带头"]
    bad = write(tmp_path / "bad.jsonl", [{"id": "a", "sha1": "0" * 40, "spans": spans}])
    with pytest.raises(AnnotationError, match=r"bad.jsonl:1.*refusing"):
        read_standoff([bad], [corpus])


def test_standoff_fields_compose_the_text_from_a_gzipped_corpus(tmp_path):
    import gzip
    import hashlib

    from campaignnlp.corpus import read_standoff
    record = {"id": "a", "title": "领导带头学", "text": "一是领导带头学。"}
    corpus = tmp_path / "corpus.jsonl.gz"
    with gzip.open(corpus, "wt", encoding="utf-8") as f:
        f.write(json.dumps({"id": "other", "text": "无关。"}, ensure_ascii=False) + "\n")
        f.write(json.dumps(record, ensure_ascii=False) + "\n")
    text = "领导带头学\n一是领导带头学。"
    spans = [{"start": 0, "end": 5, "stage": "其他", "methods": []},
             {"start": 6, "end": 14, "stage": "学习教育", "methods": ["领导带头"]}]
    ann = write(tmp_path / "ann.jsonl", [{"id": "a", "sha1": hashlib.sha1(text.encode()).hexdigest(),
                                          "fields": ["title", "text"], "spans": spans}])
    (doc,) = read_standoff([ann], [corpus])
    assert doc.text == text and doc.text[6:14] == "一是领导带头学。"
    # the text alone has another hash: refused, naming the annotation's line
    plain = write(tmp_path / "plain.jsonl", [{"id": "a", "sha1": hashlib.sha1(text.encode()).hexdigest(),
                                              "spans": spans}])
    with pytest.raises(AnnotationError, match=r"plain.jsonl:1.*refusing"):
        read_standoff([plain], [corpus])
    missing = write(tmp_path / "missing.jsonl", [{"id": "a", "sha1": "0" * 40, "fields": ["headline", "text"],
                                                  "spans": spans}])
    with pytest.raises(AnnotationError, match=r"no text field 'headline'.*missing.jsonl:1"):
        read_standoff([missing], [corpus])


def test_our_annotations_join_to_the_shared_corpus(shared):
    from pathlib import Path

    from campaignnlp.corpus import read_standoff
    here = Path(__file__).parents[1] / "training" / "annotations"
    files = sorted(here.glob("batch*.jsonl")) + sorted(here.glob("negative*.jsonl"))
    corpus = [shared / "corpus" / "xwlb_campaign.jsonl", shared / "corpus" / "xwlb_all.jsonl.gz"]
    docs = read_standoff(files, corpus, STAGES, METHODS)
    # batches 0-5: every campaign-corpus item not in the gold; 6-11: the extra reports;
    # negatives: items naming no campaign
    assert len(docs) == 527 + 312 + 300 and sum(len(d.spans) for d in docs) == 7620 + 4749 + 4297
    assert sum(d.text.count("\n") > 0 for d in docs) == len(docs)  # all open with a title line
