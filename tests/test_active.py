"""Active learning (suggest) and the label-error finder (review)."""
import numpy as np
import pytest

from campaignnlp.active import method_uncertainty, select_diverse, stage_uncertainty, suggest
from campaignnlp.corpus import Annotated, Document
from campaignnlp.formats import EXTENSIONS, FORMATS, read_documents, write_documents
from campaignnlp.review import Thresholds, find_label_errors, flags_as_documents, out_of_fold, write_flags

# Our own example sentences, one per (stage, methods) pattern.
PATTERNS = [
    ("县委召开专题民主生活会，班子成员开展批评和自我批评。", "查摆问题", ["批评与自我批评"]),
    ("党员干部集中学习党章党规，认真研读原文。", "学习教育", ["理论学习"]),
    ("针对查摆出的问题，制定整改方案，逐项抓好整改落实。", "整改落实", ["整改措施"]),
    ("今天天气晴朗，市民出行平稳有序。", "其他", []),
]


def synthetic_docs(n: int = 20) -> list[Annotated]:
    """Documents of the four patterns, numbered so no two sentences are identical."""
    docs = []
    for k in range(n):
        parts, spans, pos = [], [], 0
        for j, (sent, stage, methods) in enumerate(PATTERNS[k % 4:] + PATTERNS[:k % 4]):
            s = f"第{k}{j}条：{sent}" if j == 0 else sent
            spans.append({"start": pos, "end": pos + len(s), "stage": stage, "methods": list(methods)})
            parts.append(s)
            pos += len(s) + 1
        docs.append(Annotated(id=f"syn-{k:02d}", text="\n".join(parts), spans=spans))
    return docs


def corrupt(docs):
    """Relabel doc 5's study sentence as rectification and drop its method."""
    bad = synthetic_docs(len(docs))
    span = next(s for s in bad[5].spans if s["stage"] == "学习教育")
    span["stage"], span["methods"] = "整改落实", []
    return bad, span


def test_stage_uncertainty():
    P = np.array([[0.5, 0.5, 0.0], [1.0, 0.0, 0.0], [0.6, 0.3, 0.1]])
    assert stage_uncertainty(P, "margin") == pytest.approx([1.0, 0.0, 0.7])
    ent = stage_uncertainty(np.array([[1 / 3] * 3, [1.0, 0, 0]]), "entropy")
    assert ent == pytest.approx([1.0, 0.0], abs=1e-6)
    with pytest.raises(ValueError, match="strategy"):
        stage_uncertainty(P, "random")


def test_method_uncertainty_is_closeness_to_threshold():
    M = np.array([[0.5, 0.0], [1.0, 0.0], [0.3, 0.95]])
    assert method_uncertainty(M) == pytest.approx([1.0, 0.0, 0.6])
    # with a tuned threshold of 0.3, a score of 0.3 is the most doubtful
    assert method_uncertainty(M, [0.3, 0.5])[2] == pytest.approx(1.0)


def test_select_diverse_skips_near_duplicates():
    texts = ["央视网消息：今天，中央召开会议，部署主题教育。"] * 3 + [
        "央视网消息：今天，中央召开会议，部署主题教育！", "村里修通了公路，群众出行方便了。", "专家授课讲党史。"]
    scores = [0.99, 0.98, 0.97, 0.96, 0.5, 0.4]
    picks = select_diverse(texts, scores, 4, max_similarity=0.8)
    assert picks[0] == 0 and set(picks) == {0, 4, 5}  # one of the four near-identical leads only


def test_suggest_output_loads_in_every_format(tmp_path, nlp, corpus_texts):
    documents = [Document(id=f"c{k}", text=t) for k, t in enumerate(corpus_texts[:15])]
    docs = suggest(nlp, documents, n=12, exclude_ids={"c0"})
    assert sum(len(d.spans) for d in docs) == 12 and "c0" not in {d.id for d in docs}
    ranks = sorted(r["rank"] for d in docs for r in d.meta["suggested"])
    assert ranks == list(range(1, 13))
    picked = [d.text[s["start"]:s["end"]] for d in docs for s in d.spans]
    assert len(set(picked)) == len(picked)
    for fmt in FORMATS:
        path = tmp_path / f"suggest{EXTENSIONS[fmt]}"
        write_documents(docs, path, fmt, predictions=True)
        back = read_documents([path], fmt=fmt)
        assert [(d.id, [(s["start"], s["end"], s["stage"], s["methods"]) for s in d.spans]) for d in back] == \
               [(d.id, [(s["start"], s["end"], s["stage"], s["methods"]) for s in d.spans]) for d in docs]


def test_out_of_fold_predictions_carry_scores():
    docs = synthetic_docs(12)
    oof = out_of_fold(docs, k=3)
    assert len(oof) == sum(len(d.spans) for d in docs)
    assert {p["fold"] for p in oof} == {0, 1, 2}
    p = oof[0]
    assert set(p["stage_scores"]) == {"学习教育", "查摆问题", "整改落实", "其他"}
    assert sum(p["stage_scores"].values()) == pytest.approx(1.0)
    assert p["stage"] == max(p["stage_scores"], key=p["stage_scores"].get)


def test_review_flags_a_corrupted_gold_label(tmp_path):
    docs, span = corrupt(synthetic_docs(20))
    oof = out_of_fold(docs, k=5)
    flags = find_label_errors(docs, oof)
    assert flags, "the corrupted label was not flagged"
    top = flags[0]
    assert (top["doc_id"], top["start"], top["end"]) == ("syn-05", span["start"], span["end"])
    kinds = {i["kind"] for i in top["issues"]}
    assert "stage" in kinds and top["predicted"]["stage"] == "学习教育"
    assert {"kind": "extra_method", "label": "理论学习"}.items() <= {
        k: v for i in top["issues"] if i["kind"] == "extra_method" for k, v in i.items()}.items()
    # the clean data raise no stage flags
    clean = synthetic_docs(20)
    assert not [f for f in find_label_errors(clean, out_of_fold(clean, k=5))
                if any(i["kind"] == "stage" for i in f["issues"])]
    # outputs: JSONL, CSV, tasks with the gold and the model's view
    write_flags(flags, tmp_path / "flags.csv")
    assert "syn-05" in (tmp_path / "flags.csv").read_text(encoding="utf-8-sig").splitlines()[1]
    tasks = flags_as_documents(docs, flags)
    write_documents(tasks, tmp_path / "review.json", "labelstudio")
    back = read_documents([tmp_path / "review.json"])
    assert back[0].id == "syn-05" and back[0].spans[0]["stage"] == "整改落实"  # the gold, to correct
    assert back[0].meta["review"][0]["rank"] == 1


def test_review_thresholds_and_mismatched_predictions():
    docs = synthetic_docs(4)
    s = docs[0].spans[0]
    pred = [{"doc_id": d.id, "start": x["start"], "end": x["end"], "stage": x["stage"],
             "methods": x["methods"], "stage_scores": {x["stage"]: 0.6, "其他": 0.4},
             "method_scores": {m: 0.5 for m in x["methods"]}} for d in docs for x in d.spans]
    assert find_label_errors(docs, pred) == []  # nothing confident
    pred[0]["stage_scores"] = {s["stage"]: 0.05, "其他": 0.95}
    pred[0]["stage"] = "其他"
    flags = find_label_errors(docs, pred, Thresholds(stage_threshold=0.9, gold_ceiling=0.1))
    assert len(flags) == 1 and flags[0]["confidence"] == pytest.approx(0.9)
    with pytest.raises(ValueError, match="syn-01"):
        find_label_errors(docs, pred[:4])  # doc syn-01 has no predictions
