"""Scores against gold: per-label P/R/F1, stage accuracy and macro-F1, methods micro/macro-F1,
the stage confusion matrix; and document-level K-fold cross-validation.

Evaluation runs on the gold sentence units (the heads score exactly the annotated spans), so
figures measure the heads, not the sentencizer.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support
from sklearn.model_selection import KFold
from sklearn.preprocessing import MultiLabelBinarizer

from .context import sentence_contexts
from .corpus import Annotated


def gold_records(docs: Sequence[Annotated]) -> tuple[list[dict], list[str], list[list[str]]]:
    """Context records of every gold span, with its stage and methods."""
    records, stages, methods = [], [], []
    for d in docs:
        records.extend(sentence_contexts(d.text, d.bounds, doc_id=d.id))
        stages.extend(s["stage"] for s in d.spans)
        methods.extend(list(s["methods"]) for s in d.spans)
    return records, stages, methods


def score(gold_stages: Sequence[str], pred_stages: Sequence[str],
          gold_methods: Sequence[Sequence[str]], pred_methods: Sequence[Sequence[str]],
          stage_labels: Sequence[str] | None = None,
          method_labels: Sequence[str] | None = None) -> dict:
    stage_labels = list(stage_labels or sorted(set(gold_stages) | set(pred_stages)))
    p, r, f, n = precision_recall_fscore_support(gold_stages, pred_stages, labels=stage_labels,
                                                 zero_division=0)
    gs, ps = np.asarray(gold_stages), np.asarray(pred_stages)
    out: dict = {
        "n_sentences": len(gold_stages),
        "stage": {
            "accuracy": float((gs == ps).mean()) if len(gs) else 0.0,
            "macro_f1": float(np.mean(f)) if len(f) else 0.0,
            "per_label": {lab: {"p": float(a), "r": float(b), "f1": float(c), "support": int(d)}
                          for lab, a, b, c, d in zip(stage_labels, p, r, f, n)},
            "confusion": {"labels": stage_labels,
                          "matrix": confusion_matrix(gold_stages, pred_stages,
                                                     labels=stage_labels).tolist()},
        },
    }
    method_labels = list(method_labels or sorted({m for ms in gold_methods for m in ms}
                                                 | {m for ms in pred_methods for m in ms}))
    mlb = MultiLabelBinarizer(classes=method_labels)
    G = mlb.fit_transform([[m for m in ms if m in method_labels] for ms in gold_methods])
    P = mlb.transform([[m for m in ms if m in method_labels] for ms in pred_methods])
    p, r, f, n = precision_recall_fscore_support(G, P, zero_division=0)
    out["methods"] = {
        "micro_f1": float(f1_score(G, P, average="micro", zero_division=0)),
        "macro_f1": float(f1_score(G, P, average="macro", zero_division=0)),
        "per_label": {lab: {"p": float(a), "r": float(b), "f1": float(c), "support": int(d)}
                      for lab, a, b, c, d in zip(method_labels, p, r, f, n)},
    }
    return out


def evaluate_tagger(tagger, docs: Sequence[Annotated]) -> dict:
    """Score a trained ``campaign_tagger`` (or anything with the two heads) on gold docs."""
    records, stages, methods = gold_records(docs)
    pred_s = list(tagger.stage_head.predict(records))
    pred_m = tagger.methods_head.predict(records)
    return score(stages, pred_s, methods, pred_m, tagger.stage_labels, tagger.method_labels)


def cross_validate(docs: Sequence[Annotated], fit_predict: Callable, k: int = 5, seed: int = 0,
                   progress: Callable[[str], None] | None = None) -> dict:
    """Document-level K-fold cross-validation.

    ``fit_predict(train_docs, test_docs) -> (stages, methods)`` predicts the gold spans of
    ``test_docs``. Folds are by document (neighbouring sentences would leak). Returns the
    scores of the pooled out-of-fold predictions, with the per-fold figures.
    """
    docs = list(docs)
    pred_s: dict[tuple[int, int], str] = {}
    pred_m: dict[tuple[int, int], list[str]] = {}
    folds = []
    for fold, (tr, te) in enumerate(KFold(k, shuffle=True, random_state=seed).split(docs)):
        train, test = [docs[i] for i in tr], [docs[i] for i in te]
        ps, pm = fit_predict(train, test)
        _, gs, gm = gold_records(test)
        folds.append(score(gs, ps, gm, pm))
        keys = [(i, j) for i in te for j in range(len(docs[i].spans))]
        pred_s.update(zip(keys, ps))
        pred_m.update(zip(keys, pm))
        if progress:
            progress(f"fold {fold + 1}/{k}: stage macro-F1 {folds[-1]['stage']['macro_f1']:.3f}, "
                     f"methods micro-F1 {folds[-1]['methods']['micro_f1']:.3f}")
    keys = [(i, j) for i in range(len(docs)) for j in range(len(docs[i].spans))]
    _, gs, gm = gold_records(docs)
    result = score(gs, [pred_s[x] for x in keys], gm, [pred_m[x] for x in keys])
    result["folds"] = [{"stage_macro_f1": f["stage"]["macro_f1"],
                        "methods_micro_f1": f["methods"]["micro_f1"]} for f in folds]
    result["k"] = k
    return result


def heads_fit_predict(stage_params: dict | None = None, methods_params: dict | None = None):
    """A ``fit_predict`` for :func:`cross_validate` that trains our two heads."""
    from .heads import MethodsHead, StageHead

    def fit_predict(train, test):
        X, ys, ym = gold_records(train)
        Xt, _, _ = gold_records(test)
        stage = StageHead(**(stage_params or {})).fit(X, ys)
        methods = MethodsHead(**(methods_params or {})).fit(X, ym)
        return list(stage.predict(Xt)), methods.predict(Xt)

    return fit_predict
