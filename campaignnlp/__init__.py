"""campaignnlp: tag the sentences of Chinese party campaign reports by campaign stage and method.

    >>> import campaignnlp
    >>> nlp = campaignnlp.load()                      # the shipped spaCy pipeline
    >>> doc = nlp("一是领导带头学。区委召开专题民主生活会。")
    >>> [(s.text, s._.stage, s._.methods) for s in doc.spans["campaign"]]
    >>> campaignnlp.tag(["……", "……"])                 # a pandas DataFrame, one row per sentence
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

__version__ = "0.3.0"

# Importing registers the tokenizer, the components and the extensions with spaCy (they are
# also declared as entry points, so spacy.load works without importing campaignnlp first).
from . import components, extensions, sentences, tokenizer  # noqa: E402,F401
from .labels import METHODS, STAGES  # noqa: E402

if TYPE_CHECKING:
    import pandas as pd
    from spacy.language import Language

_PACKAGE = Path(__file__).resolve().parent
MODEL_NAME = "campaignnlp_zh"


def default_model_path() -> Path:
    """Where the shipped pipeline is: ``$CAMPAIGNNLP_MODEL``, inside the installed package, or
    in ``models/`` of a source checkout."""
    env = os.environ.get("CAMPAIGNNLP_MODEL")
    if env:
        return Path(env)
    for candidate in (_PACKAGE / "models" / MODEL_NAME, _PACKAGE.parent / "models" / MODEL_NAME):
        if (candidate / "config.cfg").exists():
            return candidate
    raise FileNotFoundError(
        f"the shipped pipeline {MODEL_NAME} is not installed (looked in {_PACKAGE / 'models'} "
        f"and {_PACKAGE.parent / 'models'}); reinstall campaignnlp or pass a pipeline directory")


def load(path: str | Path | None = None, verify: bool = True, **kwargs) -> "Language":
    """Open a campaignnlp pipeline (default: the shipped one).

    The files are checked against the pipeline's manifest before anything is unpickled
    (``verify=False`` skips that). Loading a pipeline runs code from it (its heads are
    pickles): only load pipelines you trust. ``kwargs`` go to ``spacy.load``.
    """
    import spacy

    from .integrity import quiet_version_warnings, verify_pipeline

    path = Path(path) if path is not None else default_model_path()
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such pipeline directory")
    if verify:
        verify_pipeline(path)
    # Version skew gets one VersionSkewWarning (from the tagger's from_disk), not spaCy's and
    # scikit-learn's own on top of it.
    with quiet_version_warnings():
        return spacy.load(path, **kwargs)


@lru_cache(maxsize=4)
def _cached(path: str) -> "Language":
    return load(path)


def tag(texts, nlp: "Language | str | Path | None" = None, *, text_col: str = "text",
        id_col: str | None = "id", keep=None, batch_size: int | None = None,
        n_process: int = 1) -> "pd.DataFrame":
    """Tag texts and return one row per sentence.

    ``texts``: a string, a list of strings, a list of dicts, a pandas DataFrame or a
    ``datasets.Dataset`` (texts in ``text_col``, ids in ``id_col`` when present; otherwise ids
    are positions). Columns: doc_id, sent_index, start, end, text, stage, stage_score,
    methods, method_scores, stage_scores; then ``error`` if a document failed, and the
    document fields named by ``keep`` (e.g. ``keep=["date", "campaigns"]``; ``keep=True``:
    every field but text and id; a nested ``meta`` dict is flattened), repeated on each of
    the document's rows.
    """
    from .batch import records_to_frame, tag_documents, to_documents

    if nlp is None or isinstance(nlp, (str, Path)):
        nlp = _cached(str(nlp or default_model_path()))
    metas: list[dict] = []

    def documents():
        for d in to_documents(texts, text_col=text_col, id_col=id_col):
            if keep:  # records come back in input order, so position i joins meta i
                metas.append(d.meta)
            yield d

    records = list(tag_documents(nlp, documents(), batch_size=batch_size, n_process=n_process))
    frame = records_to_frame(records)
    if keep:
        from .analysis import attach_meta

        rows = [1 if "error" in r else len(r["sentences"]) for r in records]
        frame = attach_meta(frame, metas, rows, keep)
    return frame


def profile(df: "pd.DataFrame", *, stage_weight: str = "chars", methods: str = "count",
            keep=True) -> "pd.DataFrame":
    """One row per document of a :func:`tag` frame: stage shares (by characters or
    sentences), method counts (or shares, or per 1,000 characters) and the document columns
    carried by ``tag(keep=...)``. See :func:`campaignnlp.analysis.profile`."""
    from .analysis import profile as _profile

    return _profile(df, stage_weight=stage_weight, methods=methods, keep=keep)


def render(doc_or_text, nlp: "Language | str | Path | None" = None, *,
           jupyter: bool | None = None, methods: bool = False, english: bool = False, **kwargs):
    """Show the sentences' stages with displacy's "span" style (in Jupyter, or as HTML with
    ``jupyter=False``); ``methods=True`` adds the methods to the labels. See
    :func:`campaignnlp.display.render`."""
    from .display import render as _render

    return _render(doc_or_text, nlp=nlp, jupyter=jupyter, methods=methods, english=english,
                   **kwargs)


__all__ = ["load", "tag", "profile", "render", "default_model_path", "STAGES", "METHODS", "__version__"]
