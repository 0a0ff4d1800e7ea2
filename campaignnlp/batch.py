"""Tagging many documents: Docs in, plain records out.

A record is what ``campaignnlp tag`` writes, one per document::

    {"id": ..., "sentences": [{"start", "end", "text", "stage", "stage_scores",
                               "methods", "method_scores"}]}

or ``{"id": ..., "error": "..."}`` for a document that could not be read or tagged: a failure
is reported and the run goes on.
"""
from __future__ import annotations

from typing import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from .corpus import Document
from .extensions import SPANS_KEY


def doc_record(doc_id: str, doc: Doc) -> dict:
    sents = []
    for span in doc.spans[SPANS_KEY] if SPANS_KEY in doc.spans else []:
        sents.append({
            "start": span.start_char, "end": span.end_char, "text": span.text,
            "stage": span._.stage, "stage_scores": span._.stage_scores,
            "methods": span._.methods, "method_scores": span._.method_scores,
        })
    return {"id": doc_id, "sentences": sents}


def to_documents(texts, text_col: str = "text", id_col: str | None = "id") -> Iterator[Document]:
    """Documents from a string, strings, dicts, a DataFrame or a ``datasets.Dataset``."""
    if isinstance(texts, str):
        texts = [texts]
    try:  # pandas DataFrame: iterate rows as dicts
        import pandas as pd

        if isinstance(texts, pd.DataFrame):
            texts = texts.to_dict("records")
    except ImportError:  # pragma: no cover
        pass
    for i, item in enumerate(texts):
        if isinstance(item, Document):
            yield item
        elif isinstance(item, str):
            yield Document(id=str(i), text=item)
        elif isinstance(item, dict):
            text = item.get(text_col)
            doc_id = str(item[id_col]) if id_col and item.get(id_col) is not None else str(i)
            if isinstance(text, str):
                yield Document(id=doc_id, text=text)
            else:
                yield Document(id=doc_id, text=None, error=f"item {i}: no {text_col!r} string")
        else:
            yield Document(id=str(i), text=None, error=f"item {i}: expected a string or a dict, "
                                                       f"got {type(item).__name__}")


def tag_documents(nlp: Language, documents: Iterable[Document], batch_size: int = 32,
                  n_process: int = 1) -> Iterator[dict]:
    """Tag documents in order; unreadable or failing ones become error records."""
    pending: list[Document] = []

    def flush():
        good = [d for d in pending if d.error is None]
        out: dict[int, dict] = {}
        try:
            for d, doc in zip(good, nlp.pipe((d.text for d in good), batch_size=batch_size,
                                             n_process=n_process)):
                out[id(d)] = doc_record(d.id, doc)
        except Exception:  # noqa: BLE001 - isolate the failing document, keep the others
            for d in good:
                if id(d) not in out:
                    out[id(d)] = _tag_one(nlp, d)
        for d in pending:
            yield {"id": d.id, "error": d.error} if d.error is not None else out[id(d)]

    for document in documents:
        pending.append(document)
        if len(pending) >= batch_size * max(n_process, 1) * 4:
            yield from flush()
            pending = []
    if pending:
        yield from flush()


def _tag_one(nlp: Language, d: Document) -> dict:
    try:
        return doc_record(d.id, nlp(d.text))
    except Exception as e:  # noqa: BLE001
        return {"id": d.id, "error": f"tagging failed: {type(e).__name__}: {e}"}


def records_to_frame(records: Iterable[dict]):
    """One row per sentence (documents with errors give one row with ``error`` set)."""
    import pandas as pd

    rows = []
    for r in records:
        if "error" in r:
            rows.append({"doc_id": r["id"], "error": r["error"]})
            continue
        for k, s in enumerate(r["sentences"]):
            rows.append({
                "doc_id": r["id"], "sent_index": k, "start": s["start"], "end": s["end"],
                "text": s["text"], "stage": s["stage"],
                "stage_score": s["stage_scores"][s["stage"]],
                "methods": s["methods"], "method_scores": s["method_scores"],
                "stage_scores": s["stage_scores"],
            })
    columns = ["doc_id", "sent_index", "start", "end", "text", "stage", "stage_score", "methods",
               "method_scores", "stage_scores"]
    frame = pd.DataFrame(rows)
    for c in columns:
        if c not in frame.columns:
            frame[c] = pd.Series(dtype=object)
    extra = [c for c in frame.columns if c not in columns]
    return frame[columns + extra]
