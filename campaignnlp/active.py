"""Active learning: which sentences to annotate next.

:func:`suggest` tags a corpus, scores each sentence by how unsure the model is, and picks a
diverse set of the most uncertain ones:

* **stage uncertainty**: ``margin`` (1 minus the gap between the two best stage
  probabilities) or ``entropy`` (of the stage distribution, divided by its maximum);
* **method uncertainty**: how close the method score nearest its decision threshold is to that
  threshold (1 at the threshold, 0 at 0 or 1);
* ``uncertainty = stage + method_weight * method`` (scaled to [0, 1]).

Diversity: the ``pool`` most uncertain sentences are compared by character n-gram TF-IDF
cosine, and picked greedily by maximal marginal relevance (uncertainty minus ``diversity``
times the similarity to the closest sentence already picked); a sentence whose similarity to
one already picked reaches ``max_similarity`` is never picked (no near-duplicates, such as the
same news lead repeated across days).

The picks are returned as :class:`~campaignnlp.corpus.Annotated` documents, one per source
document, holding only the picked sentences with the model's labels and scores, so
:func:`campaignnlp.formats.write_documents` can write them as pre-annotated tasks; each
document's ``meta["suggested"]`` lists its sentences' rank and uncertainty.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from .corpus import Annotated, Document

STRATEGIES = ("margin", "entropy")


@dataclass
class Candidate:
    doc_index: int
    start: int
    end: int
    text: str
    stage: str
    stage_scores: dict
    methods: list
    method_scores: dict
    uncertainty: float = 0.0


def stage_uncertainty(P: np.ndarray, strategy: str = "margin") -> np.ndarray:
    """Per-row uncertainty in [0, 1] of stage probability rows ``P``."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}")
    P = np.asarray(P, dtype=float)
    if P.shape[1] < 2:
        return np.zeros(len(P))
    if strategy == "margin":
        top = np.sort(P, axis=1)[:, -2:]
        return 1.0 - (top[:, 1] - top[:, 0])
    Q = np.clip(P, 1e-12, 1.0)
    return -(Q * np.log(Q)).sum(axis=1) / np.log(P.shape[1])


def method_uncertainty(M: np.ndarray, thresholds: Sequence[float] | None = None) -> np.ndarray:
    """Per-row uncertainty in [0, 1]: closeness of the most doubtful method score to its
    threshold (0.5 unless given)."""
    M = np.asarray(M, dtype=float)
    if M.size == 0:
        return np.zeros(len(M))
    t = np.full(M.shape[1], 0.5) if thresholds is None else np.asarray(thresholds, dtype=float)
    # distance to the threshold, scaled so that 0 and 1 are both at distance 1
    scale = np.where(M >= t, 1.0 - t, t)
    closeness = 1.0 - np.abs(M - t) / np.maximum(scale, 1e-9)
    return closeness.max(axis=1)


def select_diverse(texts: Sequence[str], scores: Sequence[float], n: int, *,
                   diversity: float = 0.5, max_similarity: float = 0.8) -> list[int]:
    """Greedy maximal marginal relevance over ``texts``: indices of up to ``n`` picks.

    Each step takes the text maximising ``score - diversity * (max cosine similarity to the
    picks so far)`` among those below ``max_similarity`` to every pick (char 1-3-gram TF-IDF).
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    if not len(texts) or n <= 0:
        return []
    X = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True).fit_transform(texts)
    scores = np.asarray(scores, dtype=float)
    closest = np.zeros(len(texts))  # similarity to the nearest pick so far
    open_ = np.ones(len(texts), dtype=bool)
    picks: list[int] = []
    while len(picks) < n and open_.any():
        value = np.where(open_, scores - diversity * closest, -np.inf)
        i = int(np.argmax(value))
        picks.append(i)
        sim = (X @ X[i].T).toarray().ravel()
        closest = np.maximum(closest, sim)
        open_ &= closest < max_similarity
        open_[i] = False
    return picks


def candidates(records: Iterable[dict], thresholds: dict | None = None,
               strategy: str = "margin", method_weight: float = 1.0,
               min_chars: int = 5) -> tuple[list[dict], list[Candidate]]:
    """Scored sentences of tagged records (``campaignnlp tag`` output: ``{"id", "text"?,
    "sentences"}``); returns the records kept and the candidates."""
    docs, cands = [], []
    for r in records:
        if "error" in r:
            continue
        k = len(docs)
        docs.append(r)
        for s in r["sentences"]:
            if len(s["text"].strip()) < min_chars:
                continue
            cands.append(Candidate(k, s["start"], s["end"], s["text"], s["stage"], s["stage_scores"],
                                   list(s["methods"]), s["method_scores"]))
    if not cands:
        return docs, cands
    stage_names = sorted({k for c in cands for k in c.stage_scores})
    method_names = sorted({k for c in cands for k in c.method_scores})
    P = np.array([[c.stage_scores.get(k, 0.0) for k in stage_names] for c in cands])
    M = np.array([[c.method_scores.get(k, 0.0) for k in method_names] for c in cands]).reshape(len(cands), -1)
    t = [thresholds.get(m, 0.5) for m in method_names] if thresholds else None
    u = (stage_uncertainty(P, strategy) + method_weight * method_uncertainty(M, t)) / (1 + method_weight)
    for c, v in zip(cands, u):
        c.uncertainty = float(v)
    return docs, cands


def suggest(nlp, documents: Iterable[Document], n: int = 200, *, strategy: str = "margin",
            method_weight: float = 1.0, diversity: float = 0.5, max_similarity: float = 0.8,
            pool: int | None = None, min_chars: int = 5, exclude_ids: Iterable[str] = (),
            batch_size: int = 32, errors: list | None = None) -> list[Annotated]:
    """Tag ``documents`` with ``nlp`` and pick ``n`` uncertain, diverse sentences.

    ``pool``: how many of the most uncertain sentences the diversity step considers (default
    ``max(5 * n, 1000)``). ``exclude_ids``: documents to skip (already annotated).
    ``errors``: a list that collects the records of documents that could not be tagged.
    """
    from .batch import tag_documents

    skip = set(exclude_ids)
    docs_in = [d for d in documents if d.id not in skip]
    texts = {d.id: d.text for d in docs_in if d.text is not None}
    metas = {d.id: d.meta for d in docs_in}
    records = []
    for r in tag_documents(nlp, docs_in, batch_size=batch_size):
        if "error" in r and errors is not None:
            errors.append(r)
        records.append(r)
    tagger = nlp.get_pipe("campaign_tagger")
    thresholds = dict(zip(tagger.method_labels,
                          map(float, getattr(tagger.methods_head, "thresholds_", []))))
    kept, cands = candidates(records, thresholds, strategy, method_weight, min_chars)
    if not cands:
        return []
    order = np.argsort([-c.uncertainty for c in cands], kind="stable")[: pool or max(5 * n, 1000)]
    top = [cands[i] for i in order]
    picks = select_diverse([c.text for c in top], [c.uncertainty for c in top], n,
                           diversity=diversity, max_similarity=max_similarity)
    chosen = [top[i] for i in picks]
    by_doc: dict[int, list[tuple[int, Candidate]]] = {}
    for rank, c in enumerate(chosen, 1):
        by_doc.setdefault(c.doc_index, []).append((rank, c))
    out = []
    for k, items in by_doc.items():  # documents in the order of their best-ranked sentence
        doc_id = kept[k]["id"]
        items.sort(key=lambda x: x[1].start)
        spans = [{"start": c.start, "end": c.end, "stage": c.stage, "methods": c.methods,
                  "stage_scores": c.stage_scores, "method_scores": c.method_scores}
                 for _, c in items]
        meta = {**(metas.get(doc_id) or {}),
                "suggested": [{"start": c.start, "end": c.end, "rank": rank,
                               "uncertainty": round(c.uncertainty, 4)} for rank, c in items]}
        out.append(Annotated(id=doc_id, text=texts[doc_id], spans=spans, meta=meta))
    return out
