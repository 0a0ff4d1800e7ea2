"""Finding likely label errors in gold data, from out-of-fold predictions.

Each gold sentence is predicted by heads that never saw its document (document-level K-fold
cross-validation, :func:`campaignnlp.evaluation.cross_validate`). A sentence is flagged when
that prediction confidently disagrees with its gold labels:

* **stage**: the predicted stage has probability >= ``stage_threshold`` and the gold stage
  <= ``gold_ceiling``;
* **missing method**: a gold method scores <= ``method_low``;
* **extra method**: a method the gold lacks scores >= ``method_high``.

A flag is a hint for a second look, not a verdict: the model is wrong more often than the
annotators (see the agreement figures), but where it is very sure and the gold is an outlier,
the gold is worth rereading against the codebook. Flags are ranked by confidence: for a stage
flag ``p(predicted) - p(gold)``, for a method flag ``p`` (extra) or ``1 - p`` (missing); a
sentence's confidence is that of its strongest issue, and among equals the sentence with more
(and stronger) disagreements ranks first.
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from .corpus import Annotated

CSV_COLUMNS = ["rank", "doc_id", "start", "end", "text", "issues", "gold_stage", "predicted_stage",
               "gold_methods", "predicted_methods", "confidence", "source"]


@dataclass
class Thresholds:
    stage_threshold: float = 0.8
    gold_ceiling: float = 0.1
    method_high: float = 0.95
    method_low: float = 0.05


def out_of_fold(docs: Sequence[Annotated], k: int = 5, seed: int = 0,
                progress: Callable[[str], None] | None = None) -> list[dict]:
    """Out-of-fold predictions with scores for every gold sentence (our two heads)."""
    from .evaluation import cross_validate, heads_fit_predict

    result = cross_validate(docs, heads_fit_predict(scores=True), k=k, seed=seed,
                            progress=progress, return_predictions=True)
    return result["predictions"]


def find_label_errors(docs: Sequence[Annotated], predictions: Sequence[dict],
                      thresholds: Thresholds | None = None) -> list[dict]:
    """Flag gold sentences whose out-of-fold prediction confidently disagrees; ranked.

    ``predictions``: :func:`out_of_fold` records (``doc_id``, ``start``, ``end``,
    ``stage_scores``, ``method_scores``), matched to the gold spans by document and offsets.
    """
    t = thresholds or Thresholds()
    by_key = {(p["doc_id"], p["start"], p["end"]): p for p in predictions}
    flags = []
    for d in docs:
        for s in d.spans:
            p = by_key.get((d.id, s["start"], s["end"]))
            if p is None:
                raise ValueError(f"{d.source or d.id}: no out-of-fold prediction for document "
                                 f"{d.id!r} at offset {s['start']}: were the predictions made on this data?")
            if p.get("stage_scores") is None or p.get("method_scores") is None:
                raise ValueError("the predictions carry no scores: make them with "
                                 "heads_fit_predict(scores=True)")
            issues = _issues(s, p, t)
            if not issues:
                continue
            flags.append({
                "doc_id": d.id, "start": s["start"], "end": s["end"],
                "text": d.text[s["start"]:s["end"]],
                "gold": {"stage": s["stage"], "methods": list(s["methods"])},
                "predicted": {"stage": p["stage"], "methods": list(p["methods"])},
                "confidence": round(max(i["confidence"] for i in issues), 4),
                "issues": issues, "source": d.source,
                "stage_scores": {k: round(v, 4) for k, v in p["stage_scores"].items()},
            })
    # ties (method scores saturate near 0 and 1) go to sentences with more disagreements
    flags.sort(key=lambda f: (-f["confidence"], -sum(i["confidence"] for i in f["issues"]),
                              f["doc_id"], f["start"]))
    for rank, f in enumerate(flags, 1):
        f["rank"] = rank
    return flags


def _issues(span: dict, pred: dict, t: Thresholds) -> list[dict]:
    out = []
    ss, ms = pred["stage_scores"], pred["method_scores"]
    best = max(ss, key=ss.get)
    p_best, p_gold = ss[best], ss.get(span["stage"], 0.0)
    if best != span["stage"] and p_best >= t.stage_threshold and p_gold <= t.gold_ceiling:
        out.append({"kind": "stage", "gold": span["stage"], "predicted": best,
                    "confidence": round(p_best - p_gold, 4)})
    gold_methods = set(span["methods"])
    for m in sorted(gold_methods):
        p = ms.get(m, 0.0)  # a label absent from the training fold scores 0
        if p <= t.method_low:
            out.append({"kind": "missing_method", "label": m, "score": round(p, 4),
                        "confidence": round(1 - p, 4)})
    for m, p in sorted(ms.items()):
        if m not in gold_methods and p >= t.method_high:
            out.append({"kind": "extra_method", "label": m, "score": round(p, 4),
                        "confidence": round(p, 4)})
    return out


def describe(issue: dict) -> str:
    if issue["kind"] == "stage":
        return f"stage {issue['gold']} -> {issue['predicted']}"
    sign = "-" if issue["kind"] == "missing_method" else "+"
    return f"{sign}{issue['label']} ({issue['score']:.2f})"


def write_flags(flags: Sequence[dict], path: str | Path) -> None:
    """JSONL (one flag per line), or CSV when ``path`` ends in .csv."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as f:  # BOM: Excel reads it as UTF-8
            w = csv.DictWriter(f, fieldnames=CSV_COLUMNS)
            w.writeheader()
            for fl in flags:
                w.writerow({
                    "rank": fl["rank"], "doc_id": fl["doc_id"], "start": fl["start"], "end": fl["end"],
                    "text": fl["text"], "issues": "; ".join(describe(i) for i in fl["issues"]),
                    "gold_stage": fl["gold"]["stage"], "predicted_stage": fl["predicted"]["stage"],
                    "gold_methods": "|".join(fl["gold"]["methods"]),
                    "predicted_methods": "|".join(fl["predicted"]["methods"]),
                    "confidence": fl["confidence"], "source": fl["source"]})
        return
    with path.open("w", encoding="utf-8") as f:
        for fl in flags:
            f.write(json.dumps(fl, ensure_ascii=False) + "\n")


def flags_as_documents(docs: Sequence[Annotated], flags: Sequence[dict]) -> list[Annotated]:
    """The flagged sentences as documents to correct: gold labels on the flagged spans, the
    model's view on each span (``prediction`` key, written as predictions where the format has
    a place for them), the issues in ``meta["review"]``. One document per flagged document, in
    rank order of its best flag."""
    by_id = {d.id: d for d in docs}
    grouped: dict[str, list[dict]] = {}
    for fl in flags:
        grouped.setdefault(fl["doc_id"], []).append(fl)
    out = []
    for doc_id, fls in grouped.items():
        d = by_id[doc_id]
        spans = []
        for fl in sorted(fls, key=lambda f: f["start"]):
            spans.append({"start": fl["start"], "end": fl["end"], "stage": fl["gold"]["stage"],
                          "methods": list(fl["gold"]["methods"]),
                          "prediction": {"stage": fl["predicted"]["stage"],
                                         "methods": list(fl["predicted"]["methods"]),
                                         "stage_scores": fl["stage_scores"]}})
        review = [{"start": fl["start"], "end": fl["end"], "rank": fl["rank"],
                   "issues": [describe(i) for i in fl["issues"]]} for fl in fls]
        out.append(Annotated(id=doc_id, text=d.text, spans=spans,
                             meta={**d.meta, "review": review}, source=d.source))
    return out
