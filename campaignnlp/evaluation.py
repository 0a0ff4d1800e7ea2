"""Scores against gold: per-label P/R/F1, stage accuracy and macro-F1, methods micro/macro-F1,
the stage confusion matrix; and document-level K-fold cross-validation, with a learning curve
and the out-of-fold predictions and scores (for :mod:`campaignnlp.review`).

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


def gold_records(docs: Sequence[Annotated], mask_campaigns: bool = True
                 ) -> tuple[list[dict], list[str], list[list[str]]]:
    """Context records of every gold span, with its stage and methods."""
    records, stages, methods = [], [], []
    for d in docs:
        records.extend(sentence_contexts(d.text, d.bounds, doc_id=d.id, mask_campaigns=mask_campaigns))
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
    records, stages, methods = gold_records(docs, getattr(tagger, "mask_campaigns", True))
    pred_s = list(tagger.stage_head.predict(records))
    pred_m = tagger.methods_head.predict(records)
    return score(stages, pred_s, methods, pred_m, tagger.stage_labels, tagger.method_labels)


def _unpack(out) -> tuple[list[str], list[list[str]], list[dict] | None, list[dict] | None]:
    """``fit_predict`` returns ``(stages, methods)`` or ``(stages, methods, stage_scores,
    method_scores)`` (one ``{label: probability}`` dict per sentence)."""
    if len(out) == 2:
        return list(out[0]), [list(m) for m in out[1]], None, None
    stages, methods, stage_scores, method_scores = out
    return list(stages), [list(m) for m in methods], list(stage_scores), list(method_scores)


def _subsample(docs: Sequence[Annotated], fraction: float, seed: int) -> list[Annotated]:
    """A random ``fraction`` of the documents (at least two), in their original order."""
    if fraction >= 1.0:
        return list(docs)
    n = max(2, int(round(fraction * len(docs))))
    keep = np.sort(np.random.default_rng(seed).choice(len(docs), size=min(n, len(docs)),
                                                      replace=False))
    return [docs[i] for i in keep]


def check_cv_split(docs: Sequence[Annotated], k: int, train_only: Sequence[Annotated] = ()) -> None:
    """ValueError unless ``docs`` can be cross-validated in ``k`` folds with ``train_only``."""
    clash = {d.id for d in docs} & {d.id for d in train_only}
    if clash:
        raise ValueError(f"documents both scored and train-only: {sorted(clash)[:5]}")
    if k < 2 or k > len(docs):
        raise ValueError(f"cross-validation needs 2 <= k <= number of documents ({len(docs)}); got k={k}")


def cross_validate(docs: Sequence[Annotated], fit_predict: Callable, k: int = 5, seed: int = 0,
                   progress: Callable[[str], None] | None = None,
                   learning_curve: Sequence[float] | None = None,
                   return_predictions: bool = False,
                   train_only: Sequence[Annotated] = ()) -> dict:
    """Document-level K-fold cross-validation.

    ``fit_predict(train_docs, test_docs)`` predicts the gold spans of ``test_docs``: it returns
    ``(stages, methods)``, or ``(stages, methods, stage_scores, method_scores)`` with one
    ``{label: probability}`` dict per sentence (see :func:`heads_fit_predict`). Folds are by
    document (neighbouring sentences would leak). Returns the scores of the pooled out-of-fold
    predictions, with the per-fold figures.

    ``learning_curve``: fractions of each training fold (e.g. ``(0.1, 0.25, 0.5, 0.75, 1.0)``);
    for each, the heads are refit on a random subset of that many training documents (the
    same subset seed for every fold) and scored on the full test fold, giving
    ``result["learning_curve"]``. A fraction of 1.0 reuses the main run.

    ``train_only``: more annotated documents added to every training fold and never scored
    (say, silver data, or another corpus, judged by what it adds on ``docs``). Learning-curve
    subsets are drawn from the whole training set of the fold, these included.

    ``return_predictions``: add ``result["predictions"]``, one out-of-fold record per gold
    sentence in document order: ``doc_id, sent_index, start, end, fold, gold_stage,
    gold_methods, stage, methods`` and, when ``fit_predict`` gives them, ``stage_scores`` and
    ``method_scores``.
    """
    docs = list(docs)
    extra = list(train_only)
    check_cv_split(docs, k, extra)
    fractions = sorted({float(f) for f in learning_curve or ()})
    if any(not 0 < f <= 1 for f in fractions):
        raise ValueError(f"learning-curve fractions must be in (0, 1]; got {fractions}")
    oof: dict[tuple[int, int], dict] = {}
    folds = []
    curve_preds: dict[float, dict[tuple[int, int], tuple[str, list[str]]]] = {f: {} for f in fractions}
    curve_sizes: dict[float, list[tuple[int, int]]] = {f: [] for f in fractions}
    curve_folds: dict[float, list[dict]] = {f: [] for f in fractions}
    for fold, (tr, te) in enumerate(KFold(k, shuffle=True, random_state=seed).split(docs)):
        train, test = [docs[i] for i in tr] + extra, [docs[i] for i in te]
        ps, pm, ss, ms = _unpack(fit_predict(train, test))
        _, gs, gm = gold_records(test)
        folds.append(score(gs, ps, gm, pm))
        keys = [(i, j) for i in te for j in range(len(docs[i].spans))]
        for n, key in enumerate(keys):
            oof[key] = {"fold": fold, "stage": ps[n], "methods": pm[n],
                        "stage_scores": ss[n] if ss is not None else None,
                        "method_scores": ms[n] if ms is not None else None}
        if progress:
            progress(f"fold {fold + 1}/{k}: stage macro-F1 {folds[-1]['stage']['macro_f1']:.3f}, "
                     f"methods micro-F1 {folds[-1]['methods']['micro_f1']:.3f}")
        for f in fractions:
            sub = _subsample(train, f, seed + fold)
            if len(sub) == len(train):  # the whole fold: the main run's predictions
                cps, cpm = ps, pm
            else:
                if len({s["stage"] for d in sub for s in d.spans}) < 2:
                    continue  # one stage only: nothing a classifier can learn from
                cps, cpm, _, _ = _unpack(fit_predict(sub, test))
            curve_preds[f].update({key: (cps[n], cpm[n]) for n, key in enumerate(keys)})
            curve_sizes[f].append((len(sub), sum(len(d.spans) for d in sub)))
            curve_folds[f].append(score(gs, cps, gm, cpm))
            if progress and len(sub) < len(train):
                progress(f"  learning curve, fold {fold + 1}, {len(sub)} training documents: "
                         f"stage macro-F1 {curve_folds[f][-1]['stage']['macro_f1']:.3f}")
    keys = [(i, j) for i in range(len(docs)) for j in range(len(docs[i].spans))]
    _, gs, gm = gold_records(docs)
    result = score(gs, [oof[x]["stage"] for x in keys], gm, [oof[x]["methods"] for x in keys])
    result["folds"] = [{"stage_macro_f1": f["stage"]["macro_f1"],
                        "methods_micro_f1": f["methods"]["micro_f1"]} for f in folds]
    result["k"] = k
    result["n_documents"] = len(docs)
    if extra:
        result["train_only_documents"] = len(extra)
    if fractions:
        result["learning_curve"] = _curve(fractions, curve_preds, curve_sizes, curve_folds, docs)
    if return_predictions:
        result["predictions"] = [
            {"doc_id": docs[i].id, "sent_index": j, "start": docs[i].spans[j]["start"],
             "end": docs[i].spans[j]["end"], "fold": oof[(i, j)]["fold"],
             "gold_stage": docs[i].spans[j]["stage"], "gold_methods": list(docs[i].spans[j]["methods"]),
             "stage": oof[(i, j)]["stage"], "methods": oof[(i, j)]["methods"],
             "stage_scores": oof[(i, j)]["stage_scores"], "method_scores": oof[(i, j)]["method_scores"]}
            for i, j in keys]
    return result


def _curve(fractions, preds, sizes, fold_scores, docs) -> dict:
    """Learning-curve points: pooled out-of-fold scores and the per-fold spread."""
    points = []
    for f in fractions:
        if not sizes[f]:
            continue
        # a fold whose subsample was skipped leaves its test documents out of the pooled score
        have = [(i, j) for i in range(len(docs)) for j in range(len(docs[i].spans)) if (i, j) in preds[f]]
        gs = [docs[i].spans[j]["stage"] for i, j in have]
        gm = [docs[i].spans[j]["methods"] for i, j in have]
        pooled = score(gs, [preds[f][x][0] for x in have], gm, [preds[f][x][1] for x in have])
        st = [s["stage"]["macro_f1"] for s in fold_scores[f]]
        mt = [s["methods"]["micro_f1"] for s in fold_scores[f]]
        points.append({
            "fraction": f,
            "train_documents": float(np.mean([a for a, _ in sizes[f]])),
            "train_sentences": float(np.mean([b for _, b in sizes[f]])),
            "folds": len(sizes[f]),
            "stage_macro_f1": pooled["stage"]["macro_f1"],
            "stage_macro_f1_std": float(np.std(st)),
            "stage_accuracy": pooled["stage"]["accuracy"],
            "methods_micro_f1": pooled["methods"]["micro_f1"],
            "methods_micro_f1_std": float(np.std(mt)),
            "methods_macro_f1": pooled["methods"]["macro_f1"],
        })
    return {"x": "train_documents", "points": points}


def heads_fit_predict(stage_params: dict | None = None, methods_params: dict | None = None,
                      scores: bool = False):
    """A ``fit_predict`` for :func:`cross_validate` that trains our two heads.

    ``scores``: also return each sentence's ``{label: probability}`` for stages and methods
    (labels absent from a training fold get no entry).
    """
    from .heads import MethodsHead, StageHead

    def fit_predict(train, test):
        X, ys, ym = gold_records(train)
        Xt, _, _ = gold_records(test)
        stage = StageHead(**(stage_params or {})).fit(X, ys)
        methods = MethodsHead(**(methods_params or {})).fit(X, ym)
        if not scores:
            return list(stage.predict(Xt)), methods.predict(Xt)
        Ps, Pm = stage.predict_proba(Xt), methods.predict_proba(Xt)
        sc, mc = [str(c) for c in stage.classes_], [str(c) for c in methods.classes_]
        pred_s = [sc[i] for i in np.argmax(Ps, axis=1)]
        return (pred_s, methods.predict(Xt),
                [dict(zip(sc, map(float, row))) for row in Ps],
                [dict(zip(mc, map(float, row))) for row in Pm])

    return fit_predict
