"""Annotation formats: round trips, detection, validation errors naming the place, alignment."""
import json
import warnings

import pytest

from campaignnlp.corpus import AnnotationError, Annotated
from campaignnlp.formats import (EXTENSIONS, FORMATS, UnalignedSpanWarning, convert, detect_format,
                                 labelstudio_config, read_documents, write_documents)
from campaignnlp.labels import METHODS, STAGES


def key(docs):
    return [(d.id, d.text, d.spans, d.meta) for d in docs]


@pytest.fixture(scope="module")
def some_gold(gold_docs):
    return gold_docs[:15]


def custom_docs():
    """A user's own label set: stages A/B, methods 读/修 (our own example text)."""
    text = "一、学习阶段\n读书。\n二、行动阶段\n修路。\n"
    spans = [{"start": 0, "end": 6, "stage": "A", "methods": ["读"]},
             {"start": 7, "end": 10, "stage": "A", "methods": ["读"]},
             {"start": 11, "end": 17, "stage": "B", "methods": []},
             {"start": 18, "end": 21, "stage": "B", "methods": ["修", "读"]}]
    return [Annotated(id=f"d{k}", text=text, spans=[dict(s) for s in spans], meta={"k": k})
            for k in range(4)]


def path_for(tmp_path, name, fmt):
    return tmp_path / f"{name}{EXTENSIONS[fmt]}"


@pytest.mark.parametrize("src", FORMATS)
@pytest.mark.parametrize("dst", FORMATS)
def test_round_trip_between_every_pair(tmp_path, some_gold, src, dst):
    a = path_for(tmp_path, "a", src)
    write_documents(some_gold, a, src)
    assert detect_format(a) == src
    b = path_for(tmp_path, "b", dst)
    convert(a, b, dst)
    assert detect_format(b) == dst
    c = tmp_path / "c.jsonl"
    convert(b, c, "codebook")
    assert key(read_documents([c])) == key(some_gold)


@pytest.mark.parametrize("fmt", FORMATS)
def test_custom_label_set_round_trips(tmp_path, fmt):
    path = path_for(tmp_path, "custom", fmt)
    write_documents(custom_docs(), path, fmt)
    docs = read_documents([path])
    assert key(docs) == key(custom_docs())
    if fmt in ("doccano", "prodigy"):  # labels outside the codebook carry their kind
        assert "stage:A" in path.read_text(encoding="utf-8")


def test_from_overrides_detection(tmp_path, some_gold):
    # Label Studio tasks one per line (not a JSON list), in a file with a misleading extension
    ls = tmp_path / "tasks.json"
    write_documents(some_gold[:2], ls, "labelstudio")
    lines = tmp_path / "tasks.txt"
    lines.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n"
                             for t in json.loads(ls.read_text(encoding="utf-8"))), encoding="utf-8")
    assert detect_format(lines) == "labelstudio"
    assert key(read_documents([lines], fmt="labelstudio")) == key(some_gold[:2])
    with pytest.raises(AnnotationError, match=r"tasks\.txt:1"):
        read_documents([lines], fmt="codebook")  # no 'text' at the top: the place is named


# -- validation errors, in every format -----------------------------------------------------

TEXT = "学习文件。召开民主生活会。\n整改问题。"  # units 0-5, 5-13, 14-19
GOOD = [{"start": 0, "end": 5, "stage": "学习教育", "methods": ["理论学习"]},
        {"start": 5, "end": 13, "stage": "查摆问题", "methods": ["批评与自我批评"]},
        {"start": 14, "end": 19, "stage": "整改落实", "methods": []}]


def bad_file(tmp_path, fmt, spans, second_id="bad-doc"):
    """Two documents; the second carries ``spans`` (written unchecked)."""
    docs = [Annotated(id="ok-doc", text=TEXT, spans=[dict(s) for s in GOOD]),
            Annotated(id=second_id, text=TEXT, spans=spans)]
    path = path_for(tmp_path, "bad", fmt)
    write_documents(docs, path, fmt)
    return path


def place(path, fmt):
    return f"{path}: task 1" if fmt == "labelstudio" else f"{path}:2"


@pytest.mark.parametrize("fmt", FORMATS)
def test_overlapping_spans(tmp_path, fmt):
    path = bad_file(tmp_path, fmt, [{"start": 0, "end": 5, "stage": "其他", "methods": []},
                                    {"start": 3, "end": 13, "stage": "其他", "methods": []}])
    with pytest.raises(AnnotationError) as e:
        read_documents([path])
    msg = str(e.value)
    assert place(path, fmt) in msg and "'bad-doc'" in msg and "overlap" in msg and "3-13" in msg


@pytest.mark.parametrize("fmt", FORMATS)
def test_offsets_outside_the_text(tmp_path, fmt):
    path = bad_file(tmp_path, fmt, [{"start": 14, "end": 40, "stage": "其他", "methods": []}])
    with pytest.raises(AnnotationError) as e:
        read_documents([path])
    msg = str(e.value)
    assert place(path, fmt) in msg and "'bad-doc'" in msg and "outside the text" in msg and "14-40" in msg


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_label_suggests_the_nearest(tmp_path, fmt):
    path = bad_file(tmp_path, fmt, [{"start": 5, "end": 13, "stage": "整改", "methods": []}])
    with pytest.raises(AnnotationError) as e:
        read_documents([path], stages=STAGES, methods=METHODS)
    msg = str(e.value)
    assert place(path, fmt) in msg and "'bad-doc'" in msg and "offset 5" in msg
    assert "did you mean '整改落实'" in msg


@pytest.mark.parametrize("fmt", ["doccano", "prodigy"])
def test_unknown_bare_label_in_span_formats(tmp_path, fmt):
    path = tmp_path / f"bare{EXTENSIONS[fmt]}"
    if fmt == "doccano":
        rows = [{"doc_id": "x", "text": TEXT, "label": [[0, 5, "学习教育"]]},
                {"doc_id": "y", "text": TEXT, "label": [[5, 13, "批评与自我批平"]]}]
    else:
        rows = [{"text": TEXT, "spans": [{"start": 0, "end": 5, "label": "学习教育"}], "meta": {"doc_id": "x"}},
                {"text": TEXT, "spans": [{"start": 5, "end": 13, "label": "批评与自我批平"}], "meta": {"doc_id": "y"}}]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    with pytest.raises(AnnotationError) as e:
        read_documents([path])
    msg = str(e.value)
    assert f"{path}:2" in msg and "'y'" in msg and "offset 5" in msg
    assert "did you mean '批评与自我批评'" in msg and "stage:LABEL" in msg


@pytest.mark.parametrize("fmt", FORMATS)
def test_duplicate_ids(tmp_path, fmt):
    path = bad_file(tmp_path, fmt, [dict(s) for s in GOOD], second_id="ok-doc")
    with pytest.raises(AnnotationError) as e:
        read_documents([path])
    msg = str(e.value)
    assert place(path, fmt) in msg and "duplicate document id 'ok-doc'" in msg


@pytest.mark.parametrize("fmt", ["labelstudio", "doccano", "prodigy"])
def test_span_without_stage(tmp_path, fmt):
    path = path_for(tmp_path, "nostage", fmt)
    write_documents([Annotated(id="ok-doc", text=TEXT, spans=[dict(s) for s in GOOD])], path, fmt)
    raw = path.read_text(encoding="utf-8")
    # drop the stage label of the second sentence, keep its method
    if fmt == "labelstudio":
        tasks = json.loads(raw)
        res = tasks[0]["annotations"][0]["result"]
        tasks[0]["annotations"][0]["result"] = [r for r in res if not (
            r["from_name"] == "stage" and r["value"]["start"] == 5)]
        path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
        where = f"{path}: task 0"
    else:
        path.write_text(raw.replace('[5, 13, "查摆问题"], ', "").replace(
            '{"start": 5, "end": 13, "label": "查摆问题"}, ', ""), encoding="utf-8")
        where = f"{path}:1"
    with pytest.raises(AnnotationError) as e:
        read_documents([path])
    msg = str(e.value)
    assert where in msg and "'ok-doc'" in msg and "offset 5" in msg and "no stage label" in msg


def test_bad_json_names_the_line(tmp_path):
    path = tmp_path / "broken.jsonl"
    path.write_text('{"id": "a", "text": "学习。", "spans": []}\n{"id": "b", "text": \n', encoding="utf-8")
    with pytest.raises(AnnotationError, match=rf"{path}:2: not valid JSON"):
        read_documents([path])


# -- alignment to sentence units ------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_unaligned_spans_are_aligned_with_a_warning(tmp_path, fmt):
    spans = [{"start": 0, "end": 4, "stage": "学习教育", "methods": ["理论学习"]},  # misses 。
             {"start": 5, "end": 19, "stage": "整改落实", "methods": ["整改措施"]}]  # two units
    path = bad_file(tmp_path, fmt, spans)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        docs = read_documents([path])
    msgs = [str(w.message) for w in caught if issubclass(w.category, UnalignedSpanWarning)]
    assert len(msgs) == 2
    assert all(place(path, fmt) in m and "'bad-doc'" in m for m in msgs)
    assert "offset 0" in msgs[0] and "0-5" in msgs[0] and "offset 5" in msgs[1] and "5-13, 14-19" in msgs[1]
    assert [(s["start"], s["end"], s["stage"], s["methods"]) for s in docs[1].spans] == [
        (0, 5, "学习教育", ["理论学习"]), (5, 13, "整改落实", ["整改措施"]), (14, 19, "整改落实", ["整改措施"])]
    assert docs[0].spans == GOOD  # aligned documents are untouched


def test_tagger_units_are_not_warned_about(tmp_path):
    # the tagger splits list items after ；/：, finer than the codebook: both cuts are fine
    text = "主要做法：一是集中学习；二是专题研讨。"
    spans = [{"start": 0, "end": 5, "stage": "其他", "methods": []},
             {"start": 5, "end": 12, "stage": "学习教育", "methods": ["理论学习"]},
             {"start": 12, "end": 19, "stage": "学习教育", "methods": ["交流研讨"]}]
    path = tmp_path / "fine.jsonl"
    write_documents([Annotated(id="a", text=text, spans=spans)], path, "codebook")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnalignedSpanWarning)
        assert read_documents([path])[0].spans == spans


# -- sentence tasks: choices, textcat, classification ---------------------------------------

def test_labelstudio_choices_label_the_task_sentence(tmp_path):
    tasks = [{"id": 7, "data": {"text": " 召开专题民主生活会。\n", "doc_id": "s1"},
              "annotations": [
                  {"was_cancelled": True, "result": []},
                  {"result": [{"from_name": "stage", "to_name": "text", "type": "choices",
                               "value": {"choices": ["查摆问题"]}},
                              {"from_name": "methods", "to_name": "text", "type": "choices",
                               "value": {"choices": ["批评与自我批评", "领导带头"]}}]}]},
             {"id": 8, "data": {"text": "整改问题。"},  # pre-annotated only: its best prediction
              "predictions": [{"score": 0.2, "result": [{"from_name": "stage", "type": "choices",
                                                          "value": {"choices": ["其他"]}}]},
                              {"score": 0.9, "result": [{"from_name": "stage", "type": "choices",
                                                          "value": {"choices": ["整改落实"]}}]}]}]
    path = tmp_path / "choices.json"
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    docs = read_documents([path])
    assert [d.id for d in docs] == ["s1", "8"]
    assert docs[0].spans == [{"start": 1, "end": 11, "stage": "查摆问题",
                              "methods": ["批评与自我批评", "领导带头"]}]
    assert docs[1].spans == [{"start": 0, "end": 5, "stage": "整改落实", "methods": []}]


def test_labelstudio_utf16_offsets_are_converted(tmp_path):
    text = "😀学习文件。整改问题。"
    tasks = [{"data": {"text": text}, "annotations": [{"result": [
        {"id": "a", "from_name": "stage", "to_name": "text", "type": "labels",
         "value": {"start": 7, "end": 12, "text": "整改问题。", "labels": ["整改落实"]}}]}]}]
    path = tmp_path / "emoji.json"
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    # JavaScript counts the emoji as two units: 7-12 there is 6-11 here
    assert read_documents([path])[0].spans == [{"start": 6, "end": 11, "stage": "整改落实", "methods": []}]
    tasks[0]["annotations"][0]["result"][0]["value"]["text"] = "别的文字"
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(AnnotationError, match=rf"{path}: task 0.*offset 7.*says its text"):
        read_documents([path])


def test_prodigy_textcat_accept_and_skipped_answers(tmp_path):
    rows = [{"text": "学习党章。", "options": [{"id": "学习教育", "text": "学习教育"}, {"id": "理论学习", "text": "理论学习"}],
             "accept": ["学习教育", "理论学习"], "answer": "accept", "meta": {"doc_id": "p1"}},
            {"text": "不要这个。", "accept": ["其他"], "answer": "reject", "meta": {"doc_id": "p2"}},
            {"text": "整改。", "options": [{"id": 3, "text": "整改落实"}], "accept": [3], "answer": "accept"}]
    path = tmp_path / "textcat.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    assert detect_format(path) == "prodigy"
    docs = read_documents([path])
    assert [(d.id, d.spans) for d in docs] == [
        ("p1", [{"start": 0, "end": 5, "stage": "学习教育", "methods": ["理论学习"]}]),
        (f"{path}:3", [{"start": 0, "end": 3, "stage": "整改落实", "methods": []}])]


def test_doccano_entities_and_classification(tmp_path):
    rows = [{"id": 1, "text": TEXT, "entities": [
                {"id": 1, "start_offset": 0, "end_offset": 5, "label": "学习教育"},
                {"id": 2, "start_offset": 0, "end_offset": 5, "label": "理论学习"}], "relations": []},
            {"id": 2, "text": "整改问题。", "label": ["整改落实", "整改措施"]}]
    path = tmp_path / "doccano.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    assert detect_format(path) == "doccano"
    docs = read_documents([path])
    assert [(d.id, d.spans) for d in docs] == [
        ("1", [{"start": 0, "end": 5, "stage": "学习教育", "methods": ["理论学习"]}]),
        ("2", [{"start": 0, "end": 5, "stage": "整改落实", "methods": ["整改措施"]}])]


def test_predictions_keep_scores_where_the_format_has_room(tmp_path):
    span = {"start": 0, "end": 5, "stage": "学习教育", "methods": ["理论学习"],
            "stage_scores": {"学习教育": 0.7, "其他": 0.3}, "method_scores": {"理论学习": 0.9}}
    doc = Annotated(id="a", text=TEXT, spans=[span])
    ls, pg = tmp_path / "p.json", tmp_path / "p.jsonl"
    write_documents([doc], ls, "labelstudio", predictions=True, model_version="m1")
    task = json.loads(ls.read_text(encoding="utf-8"))[0]
    assert "annotations" not in task and task["predictions"][0]["model_version"] == "m1"
    assert [r["score"] for r in task["predictions"][0]["result"]] == [0.7, 0.9]
    write_documents([doc], pg, "prodigy", predictions=True)
    row = json.loads(pg.read_text(encoding="utf-8"))
    assert "answer" not in row and [s["score"] for s in row["spans"]] == [0.7, 0.9]
    for path in (ls, pg):  # pre-annotated tasks read back as the predicted labels
        assert read_documents([path])[0].spans == [{k: span[k] for k in ("start", "end", "stage", "methods")}]


def test_labelstudio_config_names_match_the_reader():
    from xml.etree import ElementTree

    view = ElementTree.fromstring(labelstudio_config(["A", "B"], ['读"书<']))
    blocks = {b.get("name"): (b.get("choice"), [x.get("value") for x in b]) for b in view.iter("Labels")}
    assert blocks == {"stage": ("single", ["A", "B"]), "methods": ("multiple", ['读"书<'])}
    assert all(b.get("toName") == "text" for b in view.iter("Labels"))
    assert view.find("Text").get("name") == "text"


def test_two_stages_on_one_sentence(tmp_path):
    path = tmp_path / "two.jsonl"
    path.write_text(json.dumps({"doc_id": "t", "text": TEXT, "label": [
        [0, 5, "学习教育"], [0, 5, "学习教育"], [5, 13, "查摆问题"], [5, 13, "stage:其他"]]},
        ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(AnnotationError) as e:
        read_documents([path])
    msg = str(e.value)
    assert f"{path}:1" in msg and "'t'" in msg and "offset 5" in msg and "2 stage labels" in msg
