"""From tagged sentences to tables: per-document profiles and method mixes by group.

Input is the frame of :func:`campaignnlp.tag` (one row per sentence: doc_id, sent_index,
start, end, text, stage, stage_score, methods, method_scores, stage_scores), optionally with
document columns carried along by ``tag(..., keep=...)`` (date, title, campaigns ...).

    >>> df = campaignnlp.tag(rows, keep=["date", "campaigns"])
    >>> campaignnlp.profile(df)                          # one row per document
    >>> method_mix(df, by="campaigns")                   # one row per campaign, methods as columns
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Sequence

from .labels import METHODS, STAGES

if TYPE_CHECKING:
    import pandas as pd

#: The columns :func:`campaignnlp.tag` writes; anything else in a tagged frame is document data.
TAG_COLUMNS = ("doc_id", "sent_index", "start", "end", "text", "stage", "stage_score", "methods",
               "method_scores", "stage_scores")

STAGE_WEIGHTS = ("chars", "sentences")
METHOD_NORMS = ("count", "share", "per_1k_chars")
MIX_NORMS = ("share", "per_100_sentences", "per_doc", "count")


def attach_meta(frame: "pd.DataFrame", metas: Sequence[dict], rows_per_doc: Sequence[int],
                keep) -> "pd.DataFrame":
    """Add document fields to a sentence frame whose rows run document by document.

    ``metas[i]`` is document i's fields and ``rows_per_doc[i]`` its number of rows.
    ``keep``: True (every field), an iterable of field names, or None/False (none).
    """
    import pandas as pd

    if not keep:
        return frame
    if sum(rows_per_doc) != len(frame):
        raise RuntimeError(f"{len(frame)} rows for {sum(rows_per_doc)} expected: cannot align "
                           "document fields with sentences")
    if keep is True:
        names = list(dict.fromkeys(k for m in metas for k in m))
    else:
        names = [keep] if isinstance(keep, str) else list(keep)
        missing = [n for n in names if not any(n in m for m in metas)]
        if missing and metas:
            raise KeyError(f"keep: no field {missing} in the input "
                           f"(fields: {sorted({k for m in metas for k in m})})")
    clash = [n for n in names if n in frame.columns]
    if clash:
        raise ValueError(f"keep: field(s) {clash} clash with the tagged columns; rename them in "
                         "the input")
    out = frame.copy()
    for name in names:
        values = []
        for m, n in zip(metas, rows_per_doc):
            values.extend([m.get(name)] * n)
        out[name] = pd.Series(values, index=out.index, dtype=object)
        if out[name].map(lambda v: isinstance(v, (int, float, str, bool))).all():
            out[name] = out[name].infer_objects()
    return out


def _sentences(df: "pd.DataFrame") -> "pd.DataFrame":
    """The sentence rows of a tagged frame (documents that failed have no stage)."""
    missing = [c for c in ("doc_id", "stage", "methods") if c not in df.columns]
    if missing:
        raise KeyError(f"not a tagged frame: no column(s) {missing} (use campaignnlp.tag)")
    return df[df["stage"].notna()]


def _ordered(seen: Iterable[str], reference: Iterable[str]) -> list[str]:
    """Labels in codebook order, then any others (a user's label set) sorted."""
    seen = set(seen)
    ref = list(reference)
    return [x for x in ref if x in seen] + sorted(seen - set(ref))


def stage_labels(df: "pd.DataFrame") -> list[str]:
    """The model's stage labels (from ``stage_scores``), else those in the frame."""
    seen = set(df["stage"].dropna())
    if "stage_scores" in df.columns:
        for scores in df["stage_scores"].dropna().head(1):
            seen |= set(scores)
    return _ordered(seen, STAGES)


def method_labels(df: "pd.DataFrame") -> list[str]:
    """The model's method labels (from ``method_scores``), else those in the frame."""
    seen = {m for ms in df["methods"].dropna() for m in ms}
    if "method_scores" in df.columns:
        for scores in df["method_scores"].dropna().head(1):
            seen |= set(scores)
    return _ordered(seen, METHODS)


def _column_names(stages: list[str], methods: list[str]) -> tuple[list[str], list[str]]:
    # A user's label set may use one name as a stage and a method: prefix only those.
    both = set(stages) & set(methods)
    return ([f"stage:{s}" if s in both else s for s in stages],
            [f"method:{m}" if m in both else m for m in methods])


def profile(df: "pd.DataFrame", *, stage_weight: str = "chars", methods: str = "count",
            keep=True) -> "pd.DataFrame":
    """One row per document: its stage shares and method counts.

    Columns: ``doc_id``, ``n_sentences``, ``n_chars`` (characters inside sentences), one
    column per stage label (shares summing to 1), one per method label, then the document
    columns carried by ``tag(..., keep=...)`` (``keep=False`` drops them, or name them).

    ``stage_weight``: ``"chars"`` weighs each sentence by its length (as ``doc._.stage_profile``),
    ``"sentences"`` counts sentences. ``methods``: ``"count"`` (sentences tagged with the
    method), ``"share"`` (that count over the document's sentences) or ``"per_1k_chars"``.
    Documents that failed to tag are left out. Label columns follow the codebook's order and
    include every label of the model, zero when unused.
    """
    import numpy as np
    import pandas as pd

    if stage_weight not in STAGE_WEIGHTS:
        raise ValueError(f"stage_weight must be one of {STAGE_WEIGHTS}, not {stage_weight!r}")
    if methods not in METHOD_NORMS:
        raise ValueError(f"methods must be one of {METHOD_NORMS}, not {methods!r}")
    sents = _sentences(df)
    stages, meths = stage_labels(sents), method_labels(sents)
    stage_cols, method_cols = _column_names(stages, meths)
    ids = list(dict.fromkeys(sents["doc_id"]))
    if sents.empty:
        return pd.DataFrame(columns=["doc_id", "n_sentences", "n_chars", *stage_cols, *method_cols])

    length = (sents["end"] - sents["start"]).to_numpy(dtype=float)
    weight = length if stage_weight == "chars" else np.ones(len(sents))
    doc = pd.Categorical(sents["doc_id"], categories=ids)
    codes = doc.codes
    n_docs = len(ids)
    n_sents = np.bincount(codes, minlength=n_docs)
    n_chars = np.bincount(codes, weights=length, minlength=n_docs)

    stage_idx = {s: i for i, s in enumerate(stages)}
    S = np.zeros((n_docs, len(stages)))
    np.add.at(S, (codes, sents["stage"].map(stage_idx).to_numpy()), weight)
    S /= np.maximum(S.sum(axis=1, keepdims=True), 1e-12)

    method_idx = {m: i for i, m in enumerate(meths)}
    M = np.zeros((n_docs, len(meths)))
    for c, ms in zip(codes, sents["methods"]):
        for m in ms:
            M[c, method_idx[m]] += 1
    if methods == "share":
        M /= n_sents[:, None]
    elif methods == "per_1k_chars":
        M = M * 1000 / np.maximum(n_chars[:, None], 1)

    out = pd.DataFrame({"doc_id": ids, "n_sentences": n_sents, "n_chars": n_chars.astype(int)})
    out = pd.concat([out, pd.DataFrame(S, columns=stage_cols),
                     pd.DataFrame(M.astype(int) if methods == "count" else M, columns=method_cols)],
                    axis=1)
    extra = [c for c in df.columns if c not in TAG_COLUMNS and c != "error"]
    if keep is not True:
        extra = [] if not keep else ([keep] if isinstance(keep, str) else list(keep))
    if extra:
        # Document columns are constant within a document: take each document's first value.
        first = sents.groupby("doc_id", sort=False)[extra].first()
        out = out.join(first, on="doc_id")
    return out


def add_year(df: "pd.DataFrame", date_col: str = "date") -> "pd.DataFrame":
    """A copy with an integer ``year`` column parsed from ``date_col``."""
    import pandas as pd

    out = df.copy()
    out["year"] = pd.to_datetime(out[date_col], errors="coerce").dt.year.astype("Int64")
    return out


def method_mix(df: "pd.DataFrame", by: str, *, meta: "pd.DataFrame | None" = None,
               meta_id: str = "id", normalize: str = "share", min_docs: int = 1) -> "pd.DataFrame":
    """Method frequencies per group of documents: one row per group, one column per method.

    ``df``: a tagged frame (sentences) with the grouping column, or without it and
    ``meta``: a frame of document data joined on ``doc_id`` = ``meta[meta_id]``. ``by``: the
    grouping column; ``"year"`` is derived from a ``date`` column when there is no ``year``
    column; a column of lists (``campaigns``) counts a document under each of its entries.

    ``normalize``: ``"share"`` (the mix: each method's share of the group's method tags, rows
    sum to 1), ``"per_100_sentences"`` (sentences tagged with the method per 100 sentences),
    ``"per_doc"`` (per document) or ``"count"``. Groups with fewer than ``min_docs`` documents
    are dropped. The frame's ``attrs`` hold ``n_documents`` and ``n_sentences`` per group.
    """
    import pandas as pd

    if normalize not in MIX_NORMS:
        raise ValueError(f"normalize must be one of {MIX_NORMS}, not {normalize!r}")
    sents = _sentences(df)
    meths = method_labels(sents)
    if meta is not None:
        if meta_id not in meta.columns:
            raise KeyError(f"meta has no id column {meta_id!r}")
        cols = [c for c in meta.columns if c != meta_id and c not in sents.columns]
        joined = meta[[meta_id, *cols]].drop_duplicates(meta_id).rename(columns={meta_id: "doc_id"})
        joined["doc_id"] = joined["doc_id"].astype(str)
        sents = sents.merge(joined, on="doc_id", how="left")
    if by not in sents.columns and by == "year" and "date" in sents.columns:
        sents = add_year(sents)
    if by not in sents.columns:
        raise KeyError(f"no column {by!r} to group by (columns: {list(sents.columns)}); carry it "
                       "with tag(..., keep=[...]) or pass meta=")
    if sents[by].map(lambda v: isinstance(v, (list, tuple))).any():
        sents = sents.explode(by)
    sents = sents[sents[by].notna()]

    rows = []
    for m in meths:
        rows.append(sents["methods"].map(lambda ms, m=m: m in ms).rename(m))
    flags = pd.concat([sents[[by, "doc_id"]], *rows], axis=1) if rows else sents[[by, "doc_id"]]
    grouped = flags.groupby(by, sort=True)
    counts = grouped[meths].sum() if meths else pd.DataFrame(index=grouped.size().index)
    n_documents = grouped["doc_id"].nunique()
    n_sentences = grouped.size()
    keepers = n_documents[n_documents >= min_docs].index
    counts, n_documents, n_sentences = (counts.loc[keepers], n_documents.loc[keepers],
                                        n_sentences.loc[keepers])
    if normalize == "share":
        table = counts.div(counts.sum(axis=1).where(lambda s: s > 0), axis=0).fillna(0.0)
    elif normalize == "per_100_sentences":
        table = counts.div(n_sentences, axis=0) * 100
    elif normalize == "per_doc":
        table = counts.div(n_documents, axis=0)
    else:
        table = counts.astype(int)
    table.columns.name = "method"
    plain = lambda s: {(k.item() if hasattr(k, "item") else k): int(v) for k, v in s.items()}  # noqa: E731
    table.attrs["n_documents"] = plain(n_documents)
    table.attrs["n_sentences"] = plain(n_sentences)
    table.attrs["normalize"] = normalize
    return table
