"""Features of a sentence record (:func:`campaignnlp.context.sentence_contexts`).

``ContextVectorizer`` is a scikit-learn transformer: ``fit`` learns one character n-gram
vocabulary per text field (sentence, heading, title, neighbours) and ``transform`` stacks them,
weighted, next to dense context features (stage frames and mentions in the sentence, its
heading, the document; position; heading-ness). Everything the heads see goes through it.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer

#: field -> (n-gram range, weight). The sentence itself dominates; context fields add evidence.
DEFAULT_FIELDS: dict[str, tuple[tuple[int, int], float]] = {
    "text": ((1, 3), 1.0),
    "heading": ((1, 2), 0.5),
    "title": ((1, 2), 0.3),
    "prev": ((1, 2), 0.3),
    "next": ((1, 2), 0.3),
}


def dense_features(rec: dict) -> dict[str, float]:
    """Context cues as a sparse dict (names readable in model inspection)."""
    f: dict[str, float] = {}
    n = max(rec["n_sents"], 1)
    pos = rec["index"] / n
    f[f"pos={min(int(pos * 5), 4)}"] = 1.0
    if rec["index"] == 0:
        f["first"] = 1.0
    if rec["index"] == n - 1:
        f["last"] = 1.0
    if rec["is_heading"]:
        f["heading"] = 1.0
    length = len(rec["text"])
    f[f"len={min(int(math.log2(length + 1)), 8)}"] = 1.0
    for group in ("frames", "mentions", "heading_frames", "recent_frame", "method_cues"):
        for stage, count in rec[group].items():
            if count:
                f[f"{group}:{stage}"] = math.log1p(count)
    for group in ("doc_frames", "doc_mentions"):
        total = sum(rec[group].values())
        for stage, count in rec[group].items():
            if count:
                f[f"{group}:{stage}"] = count / total
                f[f"{group}_log:{stage}"] = math.log1p(count)
    return f


class ContextVectorizer(TransformerMixin, BaseEstimator):
    """Sentence records -> sparse feature matrix.

    Parameters
    ----------
    fields : dict or None
        Text fields to vectorise, mapping name to ((min_n, max_n), weight). None: DEFAULT_FIELDS.
    dense : bool
        Include the dense context cues of :func:`dense_features`.
    dense_weight : float
        Scale of the dense block.
    min_df : int
        Minimum document frequency of an n-gram.
    """

    def __init__(self, fields: dict | None = None, dense: bool = True, dense_weight: float = 1.0,
                 min_df: int = 2):
        self.fields = fields
        self.dense = dense
        self.dense_weight = dense_weight
        self.min_df = min_df

    def _fields(self):
        return DEFAULT_FIELDS if self.fields is None else self.fields

    def fit(self, X: Sequence[dict], y=None):
        self.vectorizers_ = {}
        for name, (ngram_range, _w) in self._fields().items():
            vec = TfidfVectorizer(analyzer="char", ngram_range=tuple(ngram_range),
                                  min_df=self.min_df, sublinear_tf=True, dtype=np.float32)
            docs = [r[name] for r in X]
            if not any(docs):  # an empty field (e.g. no headings in the data): nothing to learn
                continue
            vec.fit(docs)
            vec.stop_words_ = None  # the pruned n-grams: large and only for introspection
            self.vectorizers_[name] = vec
        if self.dense:
            self.dict_vectorizer_ = DictVectorizer(dtype=np.float32).fit(dense_features(r) for r in X)
        return self

    # Pickling: vocabularies travel as numpy arrays (joblib stores those as raw buffers; a dict
    # of 10^5 strings goes through the slow pure-Python unpickler and dominates load time).
    def __getstate__(self):
        state = self.__dict__.copy()
        if "vectorizers_" in state:
            packed = {}
            for name, vec in state["vectorizers_"].items():
                vstate = vec.__dict__.copy()
                vocab = vstate.pop("vocabulary_")
                terms = np.empty(len(vocab), dtype=object)
                for term, idx in vocab.items():
                    terms[idx] = term
                vstate["_terms"] = terms.astype(str)
                packed[name] = (type(vec), vstate)
            state["vectorizers_"] = packed
        return state

    def __setstate__(self, state):
        packed = state.get("vectorizers_")
        if packed:
            vectorizers = {}
            for name, item in packed.items():
                if not isinstance(item, tuple):  # pickled by an older version: as is
                    vectorizers[name] = item
                    continue
                cls, vstate = item
                vec = cls.__new__(cls)
                terms = vstate.pop("_terms")
                vstate["vocabulary_"] = {t: i for i, t in enumerate(terms.tolist())}
                vec.__dict__.update(vstate)
                vectorizers[name] = vec
            state["vectorizers_"] = vectorizers
        self.__dict__.update(state)

    def transform(self, X: Sequence[dict]):
        blocks = []
        fields = self._fields()
        for name, vec in self.vectorizers_.items():
            block = vec.transform([r[name] for r in X])
            blocks.append(block * fields[name][1])
        if self.dense:
            blocks.append(self.dict_vectorizer_.transform(dense_features(r) for r in X)
                          * self.dense_weight)
        return sp.hstack(blocks, format="csr", dtype=np.float32)
