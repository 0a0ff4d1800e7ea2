"""Prediction of the fitted heads as plain linear algebra.

The heads are logistic regressions over :class:`~campaignnlp.features.ContextVectorizer`
features. scikit-learn predicts them one binary model at a time, each call validating a
stacked feature matrix: on the small batches a spaCy pipeline sends, that overhead, and
building the matrix at all, cost more than the arithmetic. Here each head's coefficients
are one matrix, scored per distinct string of the batch
(:meth:`~campaignnlp.features.ContextVectorizer.decision_function`), and the probabilities
are computed as scikit-learn computes them (tested equal). Estimators this module does not
know go through scikit-learn unchanged.
"""
from __future__ import annotations

import weakref
from typing import Sequence

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.linear_model import LogisticRegression

# estimator -> (W, b): built on first use; estimators are not modified (their pickles stay as
# scikit-learn writes them)
_WEIGHTS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _is_binary_lr(est) -> bool:
    return isinstance(est, LogisticRegression) and est.coef_.shape[0] == 1


def stacked_weights(estimators: Sequence, owner) -> tuple[np.ndarray, np.ndarray] | None:
    """``(W, b)``: the coefficients of binary logistic regressions as columns of one matrix
    (features x models) and their intercepts; None if any estimator is something else.

    Cached per ``owner`` (the object holding the estimators) while the estimators and their
    coefficients are the same objects: a refit replaces them, and the cache with them."""
    estimators = list(estimators or ())
    if not estimators or not all(_is_binary_lr(e) for e in estimators):
        return None
    current = [(e, e.coef_, e.intercept_) for e in estimators]
    cached = _WEIGHTS.get(owner)
    if cached is not None and len(cached[0]) == len(current) and all(
            a is x and b is y and c is z for (a, b, c), (x, y, z) in zip(cached[0], current)):
        return cached[1], cached[2]
    coefs = [e.coef_[0] for e in estimators]
    W = np.column_stack([c.toarray().ravel() if sp.issparse(c) else c for c in coefs]).astype(np.float64)
    b = np.array([float(e.intercept_[0]) for e in estimators])
    _WEIGHTS[owner] = (current, W, b)  # holds the estimators: their ids stay unique
    return W, b


def _decision(vectorizer, X, W, extra) -> np.ndarray:
    n_vec = sum(vectorizer.block_sizes())
    D = vectorizer.decision_function(X, W[:n_vec])
    if extra is not None:
        D += np.asarray(extra, dtype=np.float64) @ W[n_vec:]
    return D


def ovr_proba(ovr, vectorizer, X, extra: np.ndarray | None = None) -> np.ndarray:
    """``ovr.predict_proba(hstack([vectorizer.transform(X), extra]))`` for a
    OneVsRestClassifier of logistic regressions."""
    parts = stacked_weights(getattr(ovr, "estimators_", None), ovr)
    if parts is None:
        M = vectorizer.transform(X)
        if extra is not None:
            M = sp.hstack([M, sp.csr_matrix(extra)], format="csr")
        return ovr.predict_proba(M)
    W, b = parts
    P = expit(_decision(vectorizer, X, W, extra) + b)
    if P.shape[1] == 1:
        P = np.hstack([1 - P, P])
    if not ovr.multilabel_:  # scikit-learn's normalisation, zero rows kept as they are
        sums = P.sum(axis=1, keepdims=True)
        np.divide(P, sums, out=P, where=sums != 0)
    return P


def binary_probas(models: Sequence, vectorizer, X, owner) -> np.ndarray:
    """Positive-class probability of each of ``models`` (binary logistic regressions, or a
    float for a label seen always or never) over ``vectorizer.transform(X)``: one column per
    model."""
    n = len(X)
    if not models:
        return np.zeros((n, 0))
    fitted = [m for m in models if not isinstance(m, float)]
    parts = stacked_weights(fitted, owner) if fitted else None
    if fitted and parts is None:
        M = vectorizer.transform(X)
        return np.column_stack([np.full(n, m) if isinstance(m, float) else m.predict_proba(M)[:, 1]
                                for m in models])
    out = np.empty((n, len(models)))
    if fitted:
        W, b = parts
        P = expit(_decision(vectorizer, X, W, None) + b)
    k = 0
    for j, m in enumerate(models):
        if isinstance(m, float):
            out[:, j] = m
        else:
            out[:, j] = P[:, k]
            k += 1
    return out
