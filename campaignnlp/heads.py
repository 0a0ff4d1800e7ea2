"""The scikit-learn heads: a stage classifier and a methods multi-label classifier.

Both follow the estimator contract: ``__init__`` stores hyperparameters, ``fit(X, y)`` learns
and returns ``self``, learned state ends in ``_``, ``predict_proba`` returns columns in
``classes_`` order. ``X`` is a list of sentence records (:mod:`campaignnlp.context`), in
document order, each carrying its ``doc_id`` so the heads can look across a document.

The stage head is stacked. Level 1 reads the sentence alone. Level 2 reads the sentence, its
context fields, and level 1's scores spread over the document: its neighbours', its section's,
its heading's, the whole document's profile. Level 2 is fit on out-of-fold level-1 scores
(folds by document), so it learns how much to trust context, as codebook rule 1 asks.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MultiLabelBinarizer

from .features import ContextVectorizer
from .linear import binary_probas, ovr_proba

SENTENCE_ONLY = {"text": ((1, 3), 1.0)}


def _binary_lr(C: float, class_weight) -> LogisticRegression:
    # The dual liblinear solver is ~50x faster than the primal ones here: far more n-gram
    # features than sentences.
    return LogisticRegression(C=C, class_weight=class_weight, solver="liblinear", dual=True,
                              max_iter=1000)


def _doc_runs(X: Sequence[dict]) -> list[tuple[int, int]]:
    """Index ranges of consecutive records from the same document."""
    runs, start = [], 0
    for i in range(1, len(X) + 1):
        if i == len(X) or X[i]["doc_id"] != X[start]["doc_id"] or X[i]["index"] <= X[i - 1]["index"]:
            runs.append((start, i))
            start = i
    return runs


def document_profile(X: Sequence[dict], P: np.ndarray) -> np.ndarray:
    """Spread per-sentence scores ``P`` over each document: the sentence's own, its neighbours'
    (one before, one after, two before), a 7-sentence window's mean, its section's mean (a
    section runs from one heading to the next), its heading's, and the document's mean and max.

    Computed for all documents of the batch at once: no loop over documents."""
    P = np.asarray(P, dtype=np.float64)
    n, k = P.shape
    if not n:
        return np.zeros((0, 9 * k), dtype=np.float32)
    runs = _doc_runs(X)
    doc_start = np.repeat([a for a, _ in runs], [b - a for a, b in runs])
    doc_end = np.repeat([b for _, b in runs], [b - a for a, b in runs])
    idx = np.arange(n)
    zero = np.zeros((1, k))

    def shifted(d):  # row i + d of the same document, else zeros
        j = idx + d
        ok = (j >= doc_start) & (j < doc_end)
        return np.where(ok[:, None], np.vstack([P, zero])[np.where(ok, j, n)], 0.0)

    cum = np.vstack([zero, np.cumsum(P, axis=0)])
    lo, hi = np.maximum(idx - 3, doc_start), np.minimum(idx + 4, doc_end)
    window = (cum[hi] - cum[lo]) / (hi - lo)[:, None]
    # sections: a document's start or a heading (not its first sentence) opens one
    heading = np.fromiter((r["is_heading"] for r in X), dtype=bool, count=n)
    opens = (idx == doc_start) | (heading & (idx > doc_start))
    starts = np.flatnonzero(opens)
    section = np.cumsum(opens) - 1
    sizes = np.diff(np.append(starts, n))
    section_mean = (np.add.reduceat(P, starts, axis=0) / sizes[:, None])[section]
    heading_p = np.where((opens & (idx > doc_start))[starts][section][:, None], P[starts][section], 0.0)
    doc_starts = np.array([a for a, _ in runs])
    doc_of = np.repeat(np.arange(len(runs)), [b - a for a, b in runs])
    doc_mean = (np.add.reduceat(P, doc_starts, axis=0) / np.diff(np.append(doc_starts, n))[:, None])[doc_of]
    doc_max = np.maximum.reduceat(P, doc_starts, axis=0)[doc_of]
    return np.hstack([P, shifted(-1), shifted(1), shifted(-2), window, section_mean, heading_p,
                      doc_mean, doc_max]).astype(np.float32)


def _oof_proba(model, X, y, classes, n_folds: int) -> np.ndarray:
    """Out-of-fold probabilities, folds by document, columns in ``classes`` order."""
    groups = [r["doc_id"] for r in X]
    n_groups = len(set(groups))
    P = np.zeros((len(X), len(classes)), dtype=np.float64)
    if n_groups < 2:
        return model.fit(X, y).predict_proba(X)
    folds = GroupKFold(n_splits=min(n_folds, n_groups))
    y = np.asarray(y)
    for tr, te in folds.split(X, y, groups):
        m = clone(model).fit([X[i] for i in tr], y[tr])
        cols = [list(classes).index(c) for c in m.classes_]
        P[np.ix_(te, cols)] = m.predict_proba([X[i] for i in te])
    return P


class StageHead(ClassifierMixin, BaseEstimator):
    """One stage per sentence, from the sentence and its document context.

    Parameters
    ----------
    C : float
        Inverse regularisation of both logistic regressions.
    stack : bool
        Use the second, context-reading level. False gives a sentence-only model.
    context_weight : float
        Scale of the level-1 document profile in level 2's features.
    n_folds : int
        Folds (by document) for the out-of-fold level-1 scores.
    class_weight : str or None
        Passed to LogisticRegression; "balanced" keeps the rare stages visible.
    fields : dict or None
        Text fields of level 2 (see :class:`campaignnlp.features.ContextVectorizer`).
    level1_cues : bool
        Give level 1 the dense cue features too (else it reads only the sentence's n-grams).
    """

    def __init__(self, C: float = 10.0, stack: bool = True, context_weight: float = 1.0,
                 n_folds: int = 5, class_weight: str | None = "balanced", fields: dict | None = None,
                 level1_cues: bool = True):
        self.level1_cues = level1_cues
        self.C = C
        self.stack = stack
        self.context_weight = context_weight
        self.n_folds = n_folds
        self.class_weight = class_weight
        self.fields = fields

    def _lr(self):
        return OneVsRestClassifier(_binary_lr(self.C, self.class_weight))

    def fit(self, X: Sequence[dict], y: Sequence[str]):
        y = np.asarray(y)
        self.classes_ = np.unique(y)
        base = make_pipeline(ContextVectorizer(fields=SENTENCE_ONLY, dense=self.level1_cues), self._lr())
        if self.stack:
            oof = _oof_proba(base, X, y, self.classes_, self.n_folds)
        self.sentence_model_ = base.fit(X, y)
        if self.stack:
            self.context_vectorizer_ = ContextVectorizer(fields=self.fields).fit(X)
            self.context_model_ = self._lr().fit(self._level2(X, oof), y)
        return self

    def _level2(self, X, P):
        profile = document_profile(X, P) * self.context_weight
        return sp.hstack([self.context_vectorizer_.transform(X), sp.csr_matrix(profile)], format="csr")

    def predict_proba(self, X: Sequence[dict]) -> np.ndarray:
        vectorizer, model = (step for _, step in self.sentence_model_.steps)
        P = ovr_proba(model, vectorizer, X)
        if not self.stack:
            return P
        profile = document_profile(X, P) * self.context_weight
        return ovr_proba(self.context_model_, self.context_vectorizer_, X, extra=profile)

    def predict(self, X: Sequence[dict]) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


class MethodsHead(ClassifierMixin, BaseEstimator):
    """Zero or more methods per sentence: one logistic regression per method label.

    Per-label decision thresholds are tuned on out-of-fold scores (folds by document) to
    maximise each label's F1; ``predict`` applies them.

    Parameters
    ----------
    C : float
        Inverse regularisation of each logistic regression.
    tune_thresholds : bool
        Tune thresholds (else 0.5 for all).
    n_folds : int
        Folds for threshold tuning.
    fields : dict or None
        Text fields (see :class:`campaignnlp.features.ContextVectorizer`).
    labels : list or None
        The label set; None takes the labels seen in ``y``.
    """

    def __init__(self, C: float = 20.0, tune_thresholds: bool = False, n_folds: int = 5,
                 fields: dict | None = None, labels: Sequence[str] | None = None):
        self.C = C
        self.tune_thresholds = tune_thresholds
        self.n_folds = n_folds
        self.fields = fields
        self.labels = labels

    def _fit_binary(self, M, y):
        if y.min() == y.max():  # a label never (or always) seen: a constant
            return float(y[0])
        return _binary_lr(self.C, "balanced").fit(M, y)

    @staticmethod
    def _proba(models, M):
        cols = [np.full(M.shape[0], m) if isinstance(m, float) else m.predict_proba(M)[:, 1]
                for m in models]
        return np.column_stack(cols) if cols else np.zeros((M.shape[0], 0))

    def _fields(self):
        if self.fields is not None:
            return self.fields
        return {"text": ((1, 3), 1.0), "heading": ((1, 2), 0.3), "prev": ((1, 2), 0.2)}

    def fit(self, X: Sequence[dict], y: Sequence[Sequence[str]]):
        self.binarizer_ = MultiLabelBinarizer(classes=self.labels)
        Y = self.binarizer_.fit_transform(y)
        self.classes_ = np.asarray(self.binarizer_.classes_)
        self.thresholds_ = np.full(len(self.classes_), 0.5)
        if self.tune_thresholds:
            self.thresholds_ = self._tune(X, Y)
        self.vectorizer_ = ContextVectorizer(fields=self._fields(), dense=True).fit(X)
        M = self.vectorizer_.transform(X)
        self.models_ = [self._fit_binary(M, Y[:, j]) for j in range(Y.shape[1])]
        return self

    def _tune(self, X, Y) -> np.ndarray:
        groups = [r["doc_id"] for r in X]
        n_groups = len(set(groups))
        if n_groups < 3:
            return np.full(Y.shape[1], 0.5)
        P = np.zeros(Y.shape, dtype=np.float64)
        for tr, te in GroupKFold(n_splits=min(self.n_folds, n_groups)).split(X, Y, groups):
            vec = ContextVectorizer(fields=self._fields(), dense=True).fit([X[i] for i in tr])
            Mtr, Mte = vec.transform([X[i] for i in tr]), vec.transform([X[i] for i in te])
            models = [self._fit_binary(Mtr, Y[tr, j]) for j in range(Y.shape[1])]
            P[te] = self._proba(models, Mte)
        grid = np.linspace(0.1, 0.9, 33)
        best = np.full(Y.shape[1], 0.5)
        for j in range(Y.shape[1]):
            if Y[:, j].sum() < 3:
                continue
            f1s = []
            for t in grid:
                pred = P[:, j] >= t
                tp = (pred & (Y[:, j] == 1)).sum()
                f1s.append(2 * tp / max(pred.sum() + Y[:, j].sum(), 1))
            best[j] = grid[int(np.argmax(f1s))]
        return best

    def predict_proba(self, X: Sequence[dict]) -> np.ndarray:
        return binary_probas(self.models_, self.vectorizer_, X, owner=self)

    def predict(self, X: Sequence[dict]) -> list[list[str]]:
        P = self.predict_proba(X)
        return [list(self.classes_[row >= self.thresholds_]) for row in P]
