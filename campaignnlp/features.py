"""Features of a sentence record (:func:`campaignnlp.context.sentence_contexts`).

``ContextVectorizer`` is a scikit-learn transformer: ``fit`` learns one character n-gram
vocabulary per text field (sentence, heading, title, neighbours) and ``transform`` stacks them,
weighted, next to dense context features (stage frames and mentions in the sentence, its
heading, the document; position; heading-ness). Everything the heads see goes through it.

Fitting uses scikit-learn's ``TfidfVectorizer``; transforming does not. Every context field is
a sentence of the same document (the heading is a sentence, so are the neighbours), so a batch
holds few distinct strings: :class:`NgramTable` counts the n-grams of each distinct string once,
with numpy over code points, and each field is a row selection of that one count matrix. The
result equals ``TfidfVectorizer.transform`` (tested) at a fraction of the cost.
"""
from __future__ import annotations

import math
import re
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
    doc_campaigns = rec.get("doc_campaigns")
    if doc_campaigns is not None:  # None: an unmasked record, campaign names not counted
        if rec.get("campaigns"):
            f["campaign_named"] = math.log1p(rec["campaigns"])
        f["doc_campaigns"] = math.log1p(doc_campaigns)
        if not doc_campaigns:
            f["no_campaign_in_doc"] = 1.0
    for group in ("doc_frames", "doc_mentions"):
        total = sum(rec[group].values())
        for stage, count in rec[group].items():
            if count:
                f[f"{group}:{stage}"] = count / total
                f[f"{group}_log:{stage}"] = math.log1p(count)
    return f


_WHITESPACE = re.compile(r"\s\s+")  # what scikit-learn's char analyzer collapses to one space
_SHIFT = 21  # bits per code point (Unicode needs 21): an n-gram of n <= 3 is one uint64


def _preprocess(text: str) -> str:
    """scikit-learn's char analyzer preprocessing: lowercase, collapse whitespace runs."""
    return _WHITESPACE.sub(" ", text.lower())


def _ngram_codes(cps: np.ndarray, n: int) -> np.ndarray:
    """Codes of the n-grams starting at each position of ``cps`` (last n-1 are dropped)."""
    m = len(cps) - n + 1
    if m <= 0:
        return np.zeros(0, dtype=np.uint64)
    code = cps[:m].copy()
    for k in range(1, n):
        code = (code << np.uint64(_SHIFT)) | cps[k:k + m]
    return code


def _term_codes(terms: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(n, code) of each vocabulary term."""
    width = max((len(t) for t in terms), default=1)
    arr = np.asarray(terms, dtype=f"<U{width}")
    cps = arr.view(np.uint32).reshape(len(arr), width).astype(np.uint64)
    lengths = np.char.str_len(arr)
    codes = np.zeros(len(arr), dtype=np.uint64)
    for k in range(width):
        # position k counts only where the term is longer than k (the padding is NUL)
        codes = np.where(lengths > k, (codes << np.uint64(_SHIFT)) | cps[:, k], codes)
    return lengths, codes


class NgramTable:
    """Counts character n-grams of many strings at once, over a fixed vocabulary.

    ``vocabularies``: one list of terms (1 to 3 characters) per output block. :meth:`counts`
    counts over the union of the vocabularies, in numpy; ``column_maps[k]`` takes union
    columns to block k's own columns.
    """

    MAX_N = 64 // _SHIFT  # longest n-gram that fits one uint64 code

    def __init__(self, vocabularies: Sequence[Sequence[str]]):
        per_n: dict[int, list[np.ndarray]] = {}
        coded = []
        for terms in vocabularies:
            lengths, codes = _term_codes(list(terms))
            coded.append((lengths, codes))
            for n in np.unique(lengths):
                per_n.setdefault(int(n), []).append(codes[lengths == n])
        # union vocabulary: sorted codes per n-gram length, numbered consecutively
        self.fields: list[str] = []  # record fields counted with the table (see share_ngram_table)
        self.keys: dict[int, np.ndarray] = {}
        offset = 0
        self.offsets: dict[int, int] = {}
        for n in sorted(per_n):
            self.keys[n] = np.unique(np.concatenate(per_n[n]))
            self.offsets[n] = offset
            offset += len(self.keys[n])
        self.size = offset
        # each block: where each union column goes in the block's own columns (-1: not there)
        self.column_maps = []
        for lengths, codes in coded:
            column_map = np.full(self.size, -1, dtype=np.int64)
            for n in np.unique(lengths):
                mask = lengths == n
                union = self.offsets[int(n)] + np.searchsorted(self.keys[int(n)], codes[mask])
                column_map[union] = np.flatnonzero(mask)
            self.column_maps.append(column_map)

    def counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Union-vocabulary n-gram counts, one row per text."""
        texts = [_preprocess(t) for t in texts]
        lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
        joined = "".join(texts)
        # surrogatepass: a lone surrogate (seen in scraped JSON) is still one code point
        cps = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"),
                            dtype=np.uint32).astype(np.uint64)
        row_of = np.repeat(np.arange(len(texts)), lengths)
        # characters left in the same text from each position: n-grams must not cross texts
        ends = np.repeat(np.cumsum(lengths), lengths)
        left = ends - np.arange(len(cps))
        rows, cols = [], []
        for n, keys in self.keys.items():
            codes = _ngram_codes(cps, n)
            if not len(codes) or not len(keys):
                continue
            pos = np.searchsorted(keys, codes)
            pos[pos == len(keys)] = 0
            hit = (keys[pos] == codes) & (left[:len(codes)] >= n)
            rows.append(row_of[:len(codes)][hit])
            cols.append(pos[hit] + self.offsets[n])
        rows = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        cols = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
        # duplicates (an n-gram repeated in a text) are summed by the COO -> CSR conversion
        return sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                             shape=(len(texts), self.size))


def _block_tfidf(counts: sp.csr_matrix, column_map: np.ndarray, vec: TfidfVectorizer) -> sp.csr_matrix:
    """``vec.transform`` from union counts: keep ``vec``'s columns, then what its
    TfidfTransformer does (sublinear tf, idf, l2 norm), on the arrays directly."""
    cols = column_map[counts.indices]
    keep = cols >= 0
    row_ids = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))[keep]
    data = counts.data[keep].astype(np.float32)
    cols = cols[keep]
    if vec.sublinear_tf:
        data = np.log(data) + np.float32(1)
    if vec.use_idf:
        data *= vec.idf_.astype(np.float32)[cols]
    if vec.norm == "l2":
        norms = np.sqrt(np.bincount(row_ids, weights=data.astype(np.float64) ** 2,
                                    minlength=counts.shape[0]))
        norms[norms == 0] = 1
        data /= norms[row_ids].astype(np.float32)
    elif vec.norm is not None:  # pragma: no cover - we only fit l2
        raise ValueError(f"unsupported norm {vec.norm!r}")
    indptr = np.concatenate([[0], np.cumsum(np.bincount(row_ids, minlength=counts.shape[0]))])
    return sp.csr_matrix((data, cols, indptr), shape=(counts.shape[0], len(vec.idf_)))


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
        self.__dict__.pop("_table", None)
        self.__dict__.pop("_column_maps", None)
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
            self.dict_vectorizer_ = DictVectorizer(dtype=np.float32).fit(_dense(r) for r in X)
        return self

    # Pickling: vocabularies travel as numpy arrays (joblib stores those as raw buffers; a dict
    # of 10^5 strings goes through the slow pure-Python unpickler and dominates load time).
    def __getstate__(self):
        state = self.__dict__.copy()
        # derived from the vocabularies: rebuilt on demand
        state.pop("_table", None)
        state.pop("_column_maps", None)
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

    def _ngram_table(self) -> tuple[NgramTable, list[np.ndarray]] | None:
        """The fast path's table, or None where it does not apply (n-grams longer than 3)."""
        if any(max(vec.ngram_range) > NgramTable.MAX_N or vec.analyzer != "char"
               for vec in self.vectorizers_.values()):
            return None
        if self.__dict__.get("_table") is None:
            share_ngram_table([self])
        return self._table, self._column_maps

    def _string_counts(self, X: Sequence[dict], table: NgramTable):
        """Row of each record's field strings in the count matrix of the batch's distinct
        strings. A :class:`Records` batch keeps the matrix, so estimators sharing ``table``
        count each string once."""
        cache = getattr(X, "cache", None)
        key = ("ngrams", id(table))
        index, counts, rows = ({}, None, {}) if cache is None else cache.get(key, ({}, None, {}))
        known = len(index)
        # every field any vectorizer of the table reads: one count for all, not one per reader
        names = [f for f in dict.fromkeys([*self.vectorizers_, *table.fields])
                 if f not in rows and (f in self.vectorizers_ or (X and f in X[0]))]
        for name in names:
            rows[name] = np.fromiter((index.setdefault(r[name], len(index)) for r in X),
                                     dtype=np.int64, count=len(X))
        if len(index) > known or counts is None:
            new = table.counts(list(index)[known:])  # dicts keep insertion order
            counts = new if counts is None else sp.vstack([counts, new], format="csr")
        if cache is not None:
            cache[key] = (index, counts, rows)
        return rows, counts

    def transform(self, X: Sequence[dict]):
        blocks = []
        fields = self._fields()
        fast = self._ngram_table() if self.vectorizers_ else None
        if fast is not None:
            table, column_maps = fast
            rows, counts = self._string_counts(X, table)
            for (name, vec), column_map in zip(self.vectorizers_.items(), column_maps):
                block = _block_tfidf(counts, column_map, vec)[rows[name]]
                blocks.append(block * fields[name][1])
        else:
            for name, vec in self.vectorizers_.items():
                blocks.append(vec.transform([r[name] for r in X]) * fields[name][1])
        if self.dense:
            blocks.append(self._dense_block(X) * self.dense_weight)
        return sp.hstack(blocks, format="csr", dtype=np.float32)

    def _dense_block(self, X: Sequence[dict]) -> sp.csr_matrix:
        """The dense cues of a batch, once per batch for every vectorizer sharing them."""
        cache = getattr(X, "cache", None)
        key = ("dense", id(self.dict_vectorizer_))
        dense = None if cache is None else cache.get(key)
        if dense is None:
            dense = _dict_rows(self.dict_vectorizer_, [_dense(r) for r in X])
            if cache is not None:
                cache[key] = dense
        return dense

    def block_sizes(self) -> list[int]:
        """Widths of the blocks :meth:`transform` stacks: one per text field, then the dense
        cues."""
        sizes = [len(vec.vocabulary_) for vec in self.vectorizers_.values()]
        if self.dense:
            sizes.append(len(self.dict_vectorizer_.feature_names_))
        return sizes

    def decision_function(self, X: Sequence[dict], W: np.ndarray) -> np.ndarray:
        """``self.transform(X) @ W`` for a weight matrix ``W`` (features x outputs), computed
        without building the matrix: each field's TF-IDF rows are a linear function of a
        string, so each distinct string of the batch is scored once per field and records
        pick their fields' rows. The heads predict through this (see :mod:`.linear`)."""
        W = np.asarray(W, dtype=np.float64)
        fast = self._ngram_table() if self.vectorizers_ else None
        if fast is None:
            return np.asarray(self.transform(X) @ W)
        table, column_maps = fast
        fields = self._fields()
        rows, counts = self._string_counts(X, table)
        out = np.zeros((len(X), W.shape[1]), dtype=np.float64)
        offset = 0
        for (name, vec), column_map in zip(self.vectorizers_.items(), column_maps):
            width = len(vec.vocabulary_)
            # the batch's strings are nearly all in every field (a sentence is its
            # neighbours' neighbour): score them all, pick rows after
            block = _block_tfidf(counts, column_map, vec)
            out += (block @ (W[offset:offset + width] * fields[name][1]))[rows[name]]
            offset += width
        if self.dense:
            out += self._dense_block(X) @ (W[offset:] * self.dense_weight)
        return out


class Records(list):
    """A batch of sentence records. Estimators that read the same batch (the two heads and
    their levels) share work through its ``cache``: the n-gram counts of its strings."""

    def __init__(self, items=()):
        super().__init__(items)
        self.cache: dict = {}


def share_ngram_table(vectorizers: Sequence[ContextVectorizer]) -> NgramTable:
    """Give fitted vectorizers one n-gram table over all their vocabularies, so that a
    :class:`Records` batch is counted once for all of them."""
    vectorizers = [v for v in vectorizers if getattr(v, "vectorizers_", None)]
    vectorizers = [v for v in vectorizers
                   if all(max(vec.ngram_range) <= NgramTable.MAX_N and vec.analyzer == "char"
                          for vec in v.vectorizers_.values())]
    vocabularies, owners = [], []
    for v in vectorizers:
        for vec in v.vectorizers_.values():
            vocabularies.append(vec.get_feature_names_out().tolist())
            owners.append(v)
    table = NgramTable(vocabularies)
    table.fields = list(dict.fromkeys(name for v in vectorizers for name in v.vectorizers_))
    for v in vectorizers:
        v._table = table
        v._column_maps = [m for m, o in zip(table.column_maps, owners) if o is v]
    # dense cue vocabularies learnt from the same records are equal: one object, one transform
    dense = [v for v in vectorizers if getattr(v, "dict_vectorizer_", None) is not None]
    for v in dense:
        for w in dense:
            if w is v:
                break
            if w.dict_vectorizer_.vocabulary_ == v.dict_vectorizer_.vocabulary_:
                v.dict_vectorizer_ = w.dict_vectorizer_
                break
    return table


def _dict_rows(dv: DictVectorizer, rows: Sequence[dict[str, float]]) -> sp.csr_matrix:
    """``dv.transform(rows)`` for numeric dicts, without its per-call validation (measured: a
    seventh of the cost on the small batches a pipeline sends)."""
    vocab = dv.vocabulary_
    indices: list[int] = []
    data: list[float] = []
    indptr = [0]
    for row in rows:
        for name, value in row.items():
            j = vocab.get(name)
            if j is not None:
                indices.append(j)
                data.append(value)
        indptr.append(len(indices))
    out = sp.csr_matrix((np.asarray(data, dtype=dv.dtype), np.asarray(indices, dtype=np.int32),
                         np.asarray(indptr, dtype=np.int32)), shape=(len(rows), len(vocab)))
    out.sort_indices()
    return out


def _dense(rec: dict) -> dict[str, float]:
    """:func:`dense_features`, computed once per record (three estimators read them)."""
    f = rec.get("_dense")
    if f is None:
        f = rec["_dense"] = dense_features(rec)
    return f
