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
from typing import TYPE_CHECKING, Iterable

__version__ = "0.1.0"

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

    from .integrity import verify_pipeline

    path = Path(path) if path is not None else default_model_path()
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such pipeline directory")
    if verify:
        verify_pipeline(path)
    return spacy.load(path, **kwargs)


@lru_cache(maxsize=4)
def _cached(path: str) -> "Language":
    return load(path)


def tag(texts, nlp: "Language | str | Path | None" = None, *, text_col: str = "text",
        id_col: str | None = "id", batch_size: int = 32, n_process: int = 1) -> "pd.DataFrame":
    """Tag texts and return one row per sentence.

    ``texts``: a string, a list of strings, a list of dicts, a pandas DataFrame or a
    ``datasets.Dataset`` (texts in ``text_col``, ids in ``id_col`` when present; otherwise ids
    are positions). Columns: doc_id, sent_index, start, end, text, stage, stage_score,
    methods, method_scores, stage_scores.
    """
    from .batch import records_to_frame, tag_documents, to_documents

    if nlp is None or isinstance(nlp, (str, Path)):
        nlp = _cached(str(nlp or default_model_path()))
    records = tag_documents(nlp, to_documents(texts, text_col=text_col, id_col=id_col),
                            batch_size=batch_size, n_process=n_process)
    return records_to_frame(records)


__all__ = ["load", "tag", "default_model_path", "STAGES", "METHODS", "__version__"]
