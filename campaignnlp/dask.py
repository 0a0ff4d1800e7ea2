"""Tagging on a Dask cluster (``pip install 'campaignnlp[dask]'``).

    >>> import dask.bag as db
    >>> from campaignnlp.dask import tag_bag, tag_dataframe
    >>> records = tag_bag(db.read_text("reports/*.txt", files_per_partition=1000)...)
    >>> rows = tag_dataframe(dd.read_parquet("corpus/"), text_col="text", id_col="id")

Each worker process loads the pipeline once, on its first partition, and keeps it in a
module-level cache keyed by the model path; later partitions (and later computations on the
same workers) reuse it. The path is resolved on the worker, so it must be readable there (a
shared file system, or the package installed on the workers for the shipped model). Partitions
are tagged in spaCy memory zones, like the command line, so a long-lived worker's memory stays
flat. One pipeline is not safe to run from several threads at once (a memory zone is
process-wide), so a lock serialises partitions within a worker: give workers one thread each
and scale with processes (``LocalCluster(processes=True, threads_per_worker=1)``,
``dask worker --nthreads 1 --nworkers N``).
"""
from __future__ import annotations

import threading
from pathlib import Path

import dask.bag as db
import dask.dataframe as dd
import pandas as pd
from dask import delayed

from .batch import BATCH_SIZE, tag_documents, to_documents
from .corpus import Document
from .sinks import COLUMNS, sentence_rows

_MODELS: dict[str, object] = {}
_LOCKS: dict[str, threading.Lock] = {}
_GUARD = threading.Lock()


def _model_key(model) -> str:
    if model is None:
        from . import default_model_path
        model = default_model_path()
    return str(Path(model).resolve())


def worker_model(model=None):
    """The pipeline at ``model`` (default: shipped), loaded once per process, and its lock."""
    key = _model_key(model)
    with _GUARD:
        lock = _LOCKS.setdefault(key, threading.Lock())
    with lock:
        if key not in _MODELS:
            from . import load
            _MODELS[key] = load(key)
    return _MODELS[key], lock


def _tag_partition(items, k: int, model, text_col: str, id_col: str | None,
                   batch_size: int) -> list[dict]:
    nlp, lock = worker_model(model)
    docs = list(to_documents(items, text_col=text_col, id_col=id_col))  # one per item
    for i, (item, d) in enumerate(zip(items, docs)):
        own_id = isinstance(item, Document) or (
            isinstance(item, dict) and id_col and item.get(id_col) is not None)
        if not own_id:  # a position in the partition would repeat across partitions
            d.id = f"{k}:{i}"
    with lock:
        return list(tag_documents(nlp, docs, batch_size=batch_size, chunk_size=batch_size * 8))


def tag_bag(bag: db.Bag, model: str | Path | None = None, *, text_col: str = "text",
            id_col: str | None = "id", batch_size: int = BATCH_SIZE) -> db.Bag:
    """A bag of texts (strings, or dicts with ``text_col``/``id_col``) -> a bag of document
    records, in the same order (the JSONL records of ``campaignnlp tag``). Strings get the id
    ``"PARTITION:POSITION"``."""
    parts = [delayed(_tag_partition)(list_part, k, model, text_col, id_col, batch_size)
             for k, list_part in enumerate(bag.map_partitions(list).to_delayed())]
    return db.from_delayed(parts)


def _frame_partition(frame: pd.DataFrame, text_col: str, id_col: str | None, model,
                     batch_size: int) -> pd.DataFrame:
    nlp, lock = worker_model(model)
    ids = frame[id_col] if id_col else frame.index.to_series()
    items = [{"id": None if pd.isna(i) else str(i), "text": t}
             for i, t in zip(ids, frame[text_col])]
    with lock:
        records = tag_documents(nlp, to_documents(items, id_col="id"), batch_size=batch_size,
                                chunk_size=batch_size * 8)
        rows = [row for r in records for row in sentence_rows(r)]
    return _typed(pd.DataFrame(rows, columns=COLUMNS))


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype({"doc_id": object, "sent_index": "Int64", "start": "Int64", "end": "Int64",
                         "text": object, "stage": object, "stage_score": "float64",
                         "methods": object, "method_scores": object, "stage_scores": object,
                         "error": object})


def tag_dataframe(ddf: dd.DataFrame, text_col: str = "text", id_col: str | None = "id",
                  model: str | Path | None = None, *, batch_size: int = BATCH_SIZE) -> dd.DataFrame:
    """A dask DataFrame of texts -> a dask DataFrame with one row per sentence (the columns of
    the CSV/Parquet output: doc_id, sent_index, start, end, text, stage, stage_score, methods,
    method_scores, stage_scores, error). Without ``id_col`` the ids are the index values."""
    meta = _typed(pd.DataFrame({c: [] for c in COLUMNS}))
    return ddf.map_partitions(_frame_partition, text_col, id_col, model, batch_size, meta=meta,
                              align_dataframes=False)


__all__ = ["tag_bag", "tag_dataframe", "worker_model"]
