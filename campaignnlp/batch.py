"""Tagging many documents: Docs in, plain records out.

A record is what ``campaignnlp tag`` writes, one per document::

    {"id": ..., "sentences": [{"start", "end", "text", "stage", "stage_scores",
                               "methods", "method_scores"}]}

or ``{"id": ..., "error": "..."}`` for a document that could not be read or tagged: a failure
is reported and the run goes on.

For a corpus: :func:`tag_chunks` streams records a chunk at a time (memory zones, optional
worker processes), :func:`tag_to_sink` writes the chunks crash-safely
(:mod:`campaignnlp.sinks`) and reports progress (:class:`Progress`).
"""
from __future__ import annotations

import collections
import contextlib
import multiprocessing
import sys
import time
from typing import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from .corpus import Document
from .extensions import SPANS_KEY, doc_text


def doc_record(doc_id: str, doc: Doc) -> dict:
    sents = []
    text = doc_text(doc)  # sliced below: Span.text would walk the tokens for every sentence
    for span in doc.spans[SPANS_KEY] if SPANS_KEY in doc.spans else []:
        ext, start, end = span._, span.start_char, span.end_char  # each span._ builds an object
        sents.append({
            "start": start, "end": end, "text": text[start:end],
            "stage": ext.stage, "stage_scores": ext.stage_scores,
            "methods": ext.methods, "method_scores": ext.method_scores,
        })
    return {"id": doc_id, "sentences": sents}


def to_documents(texts, text_col: str = "text", id_col: str | None = "id") -> Iterator[Document]:
    """Documents from a string, strings, dicts, a DataFrame or a ``datasets.Dataset``."""
    if isinstance(texts, str):
        texts = [texts]
    for i, item in enumerate(_rows(texts)):
        if isinstance(item, Document):
            yield item
        elif isinstance(item, str):
            yield Document(id=str(i), text=item)
        elif isinstance(item, dict):
            text = item.get(text_col)
            doc_id = str(item[id_col]) if id_col and item.get(id_col) is not None else str(i)
            if isinstance(text, str):
                # Other fields (date, title, campaigns...) ride along for tag(keep=...).
                yield Document(id=doc_id, text=text, meta=_item_meta(item, text_col, id_col))
            else:
                yield Document(id=doc_id, text=None, error=f"item {i}: no {text_col!r} string",
                               meta=_item_meta(item, text_col, id_col))
        else:
            yield Document(id=str(i), text=None, error=f"item {i}: expected a string or a dict, "
                                                       f"got {type(item).__name__}")


def _item_meta(item: dict, text_col: str, id_col: str | None) -> dict:
    """An item's fields other than text and id; a nested ``meta`` dict (codebook JSONL) is
    flattened into them."""
    meta = {k: v for k, v in item.items() if k not in (text_col, id_col, "meta")}
    if isinstance(item.get("meta"), dict):
        meta = {**item["meta"], **meta}
    elif "meta" in item:
        meta["meta"] = item["meta"]
    return meta


def _rows(texts, block: int = 1000):
    """Items of ``texts``, with a DataFrame or ``datasets.Dataset`` read a block of rows at a
    time (rows as dicts), so a large table is never copied whole into Python objects."""
    pd = sys.modules.get("pandas")  # only loaded if the caller could have made a DataFrame
    if pd is not None and isinstance(texts, pd.DataFrame):
        for start in range(0, len(texts), block):
            yield from texts.iloc[start:start + block].to_dict("records")
        return
    ds = sys.modules.get("datasets")
    if ds is not None and isinstance(texts, ds.Dataset):
        # Arrow batches, memory-mapped from disk for a saved dataset
        for batch in texts.iter(batch_size=block):
            keys = list(batch)
            for values in zip(*(batch[k] for k in keys)):
                yield dict(zip(keys, values))
        return
    yield from texts


def memory_zone(nlp: Language):
    """``nlp.memory_zone()`` (spaCy >= 3.8): strings and lexemes added inside it are freed when
    it ends, so the vocabulary does not grow with the corpus. A no-op on older spaCy."""
    zone = getattr(nlp, "memory_zone", None)
    return zone() if zone is not None else contextlib.nullcontext()


#: Texts per ``nlp.pipe`` batch. The heads work a batch at a time, and numpy's and scipy's
#: per-call costs are spread over more sentences: 128 tags about 12% faster than 32 (both
#: measured interleaved, benchmarks/batch.py's method), for a few MB more per batch.
BATCH_SIZE = 128
#: ...but batches sent to worker processes stay small, so the workers finish together.
WORKER_BATCH_SIZE = 32


def default_batch_size(n_process: int) -> int:
    return BATCH_SIZE if n_process <= 1 else WORKER_BATCH_SIZE


#: Documents tagged in one memory zone. A zone's end frees the lexemes it made, so the next
#: zone makes them again: spaCy computes a dozen attributes per lexeme, and in zones of 500
#: documents that was a tenth of segmentation time. 10,000 news items make about 10^5 words
#: (some tens of MB), freed at once.
ZONE_DOCUMENTS = 10_000


class Zones:
    """Consecutive memory zones of about ``size`` documents each: :meth:`tagged` counts the
    documents done (their records extracted) and starts a new zone when one is full."""

    def __init__(self, nlp: Language, size: int = ZONE_DOCUMENTS):
        self.nlp, self.size = nlp, max(int(size), 1)
        self._zone = None
        self._count = 0

    def open(self) -> None:
        if self._zone is None:
            self._zone = memory_zone(self.nlp)
            self._zone.__enter__()
            self._count = 0

    def tagged(self, n: int) -> None:
        self._count += n
        if self._count >= self.size:
            self.close()

    def close(self) -> None:
        zone, self._zone = self._zone, None
        if zone is not None:
            zone.__exit__(None, None, None)


def tag_chunks(nlp: Language, documents: Iterable[Document], chunk_size: int = 500,
               batch_size: int | None = None, n_process: int = 1,
               zone_size: int = ZONE_DOCUMENTS) -> Iterator[list[dict]]:
    """Tag documents, in order; yield their records ``chunk_size`` at a time.

    Documents are tagged in spaCy memory zones of about ``zone_size`` documents (records are
    plain data, extracted before a zone ends), so the vocabulary stays bounded however long
    the stream. With ``n_process > 1`` the batches go to worker processes (see
    :func:`_tag_parallel`). Unreadable or failing documents become error records.
    ``batch_size``: texts per batch (default: :func:`default_batch_size`).
    """
    batch_size = batch_size or default_batch_size(n_process)
    warm = getattr(nlp.tokenizer, "warm_vocabulary", None)
    if warm is not None:  # before any zone, and before workers fork: they inherit it
        warm()
    if n_process > 1 and "fork" in multiprocessing.get_all_start_methods():
        yield from _tag_parallel(nlp, documents, chunk_size, batch_size, n_process, zone_size)
        return
    zones = Zones(nlp, zone_size)
    try:
        pending: list[Document] = []
        for document in documents:
            pending.append(document)
            if len(pending) >= chunk_size:
                yield _tag_chunk(nlp, pending, batch_size, n_process, zones)
                pending = []
        if pending:
            yield _tag_chunk(nlp, pending, batch_size, n_process, zones)
    finally:
        zones.close()


def _tag_chunk(nlp: Language, pending: list[Document], batch_size: int, n_process: int = 1,
               zones: Zones | None = None) -> list[dict]:
    good = [d for d in pending if d.error is None]
    out: dict[int, dict] = {}
    zones = zones or Zones(nlp, 1)  # none given: a zone for this chunk alone
    zones.open()
    try:
        # (n_process > 1 only where fork is missing: spaCy's own workers, started per call)
        procs = n_process if len(good) >= 2 * batch_size else 1
        for d, doc in zip(good, nlp.pipe((d.text for d in good), batch_size=batch_size,
                                         n_process=procs)):
            out[id(d)] = doc_record(d.id, doc)
    except Exception:  # noqa: BLE001 - isolate the failing document, keep the others
        for d in good:
            if id(d) not in out:
                out[id(d)] = _tag_one(nlp, d)
    finally:
        zones.tagged(len(good))
    return [{"id": d.id, "error": d.error} if d.error is not None else out[id(d)] for d in pending]


_WORKER: dict = {}  # the pipeline, inherited by forked workers (never pickled)


def _worker_tag(items: list[tuple[str, str]], batch_size: int, zone_size: int) -> list[dict]:
    nlp = _WORKER["nlp"]
    zones = _WORKER.get("zones")
    if zones is None or zones.nlp is not nlp:  # first batch in this worker: its own zones
        zones = _WORKER["zones"] = Zones(nlp, zone_size)
    return _tag_chunk(nlp, [Document(id=i, text=t) for i, t in items], batch_size, zones=zones)


def _tag_parallel(nlp: Language, documents: Iterable[Document], chunk_size: int,
                  batch_size: int, n_process: int, zone_size: int = ZONE_DOCUMENTS) -> Iterator[list[dict]]:
    """Batches of ``batch_size`` texts to ``n_process`` forked workers, which run the whole
    pipeline (``nlp.pipe``, custom components, Span extensions) in memory zones and send back
    records; at most ``4 * n_process`` batches in flight, so the input is read as it is used.

    Why not ``nlp.pipe(n_process=N)``: it sends every Doc back serialised and rebuilds it in
    this process (measured: this process then did 40% of the single-process work), and
    streaming with memory zones means a call per chunk, hence new workers per chunk.
    A worker that dies (killed, out of memory) breaks the pool: its batches are tagged here,
    one by one, and a new pool is started.
    """
    import concurrent.futures as cf
    from concurrent.futures.process import BrokenProcessPool

    _WORKER["nlp"] = nlp
    ctx = multiprocessing.get_context("fork")
    pool = [cf.ProcessPoolExecutor(n_process, mp_context=ctx)]
    in_flight: collections.deque = collections.deque()
    done: list[dict] = []

    def submit(batch: list[Document]) -> None:
        items = [(d.id, d.text) for d in batch if d.error is None]
        # each worker runs its own zones, of zone_size / n_process documents
        future = (pool[0].submit(_worker_tag, items, batch_size, max(zone_size // n_process, 1))
                  if items else None)
        in_flight.append((batch, future, pool[0]))

    def collect() -> None:
        batch, future, owner = in_flight.popleft()
        try:
            records = future.result() if future is not None else []
        except BrokenProcessPool:
            records = _tag_chunk(nlp, [d for d in batch if d.error is None], batch_size)
            if owner is pool[0]:  # the first batch of a broken pool: replace the pool
                owner.shutdown(wait=False, cancel_futures=True)
                pool[0] = cf.ProcessPoolExecutor(n_process, mp_context=ctx)
        good = iter(records)
        done.extend({"id": d.id, "error": d.error} if d.error is not None else next(good)
                    for d in batch)

    try:
        batch: list[Document] = []
        for document in documents:
            batch.append(document)
            if len(batch) >= batch_size:
                submit(batch)
                batch = []
                while len(in_flight) > 4 * n_process:
                    collect()
                if len(done) >= chunk_size:
                    yield done[:chunk_size]
                    del done[:chunk_size]
        if batch:
            submit(batch)
        while in_flight:
            collect()
            if len(done) >= chunk_size:
                yield done[:chunk_size]
                del done[:chunk_size]
        if done:
            yield done
    finally:
        pool[0].shutdown(wait=True, cancel_futures=True)
        _WORKER.pop("nlp", None)
        _WORKER.pop("zones", None)


def tag_documents(nlp: Language, documents: Iterable[Document], batch_size: int | None = None,
                  n_process: int = 1, chunk_size: int | None = None) -> Iterator[dict]:
    """Tag documents in order; unreadable or failing ones become error records."""
    batch_size = batch_size or default_batch_size(n_process)
    chunk_size = chunk_size or batch_size * max(n_process, 1) * 4
    for chunk in tag_chunks(nlp, documents, chunk_size, batch_size, n_process):
        yield from chunk


def _tag_one(nlp: Language, d: Document) -> dict:
    try:
        return doc_record(d.id, nlp(d.text))
    except Exception as e:  # noqa: BLE001
        return {"id": d.id, "error": f"tagging failed: {type(e).__name__}: {e}"}


class Progress:
    """Where a run is: a tqdm bar (documents/s, ETA) on a terminal, otherwise a plain line
    every ``interval`` seconds; nothing when ``quiet``."""

    def __init__(self, total: int | None = None, quiet: bool = False, stream=None,
                 interval: float = 10.0):
        self.stream = stream if stream is not None else sys.stderr
        self.quiet, self.total, self.interval = quiet, total, interval
        self.docs = self.chars = self.failed = 0
        self.start = self.last = time.monotonic()
        self.bar = None
        if not quiet and getattr(self.stream, "isatty", lambda: False)():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="doc", file=self.stream, dynamic_ncols=True,
                            smoothing=0.1)

    def update(self, docs: int, chars: int, failed: int) -> None:
        self.docs += docs
        self.chars += chars
        self.failed += failed
        if self.bar is not None:
            self.bar.set_postfix_str(f"{self.chars / max(self.elapsed, 1e-9):,.0f} chars/s, "
                                     f"{self.failed} failed", refresh=False)
            self.bar.update(docs)
        elif not self.quiet and time.monotonic() - self.last >= self.interval:
            self.last = time.monotonic()
            print(self.line(), file=self.stream, flush=True)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def line(self) -> str:
        t = max(self.elapsed, 1e-9)
        rate = self.docs / t
        text = (f"{self.docs:,} docs, {rate:,.1f} docs/s, {self.chars / t:,.0f} chars/s, "
                f"{self.failed} failed, {t:,.0f} s elapsed")
        if self.total and rate > 0:
            text += f", ETA {max(self.total - self.docs, 0) / rate:,.0f} s"
        return text

    def write(self, message: str) -> None:
        """A message that does not break the bar."""
        if self.quiet:
            return
        if self.bar is not None:
            self.bar.write(message, file=self.stream)
        else:
            print(message, file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def tag_to_sink(nlp: Language, documents: Iterable[Document], sink, *, chunk_size: int = 500,
                batch_size: int | None = None, n_process: int = 1, skip_ids: set[str] | None = None,
                progress: Progress | None = None, max_error_lines: int = 50) -> dict:
    """Tag a stream of documents into a :class:`campaignnlp.sinks.ChunkSink`, one part file per
    chunk; skip the ids in ``skip_ids`` (resume). Returns the run's summary: documents,
    sentences, failed, skipped, seconds, chars, chars_per_s."""
    skip_ids = skip_ids or set()
    stats = {"documents": 0, "sentences": 0, "failed": 0, "skipped": 0, "chars": 0}

    read = {"chars": 0}  # characters of the documents read since the last chunk

    def todo():
        for d in documents:
            if d.id in skip_ids:
                stats["skipped"] += 1
            else:
                read["chars"] += len(d.text or "")
                yield d

    start = time.monotonic()
    for chunk in tag_chunks(nlp, todo(), chunk_size, batch_size, n_process):
        sink.write(chunk)
        # characters read since the last chunk: this chunk's, give or take the documents
        # in flight to worker processes (exact in the total)
        failed, chars, read["chars"] = 0, read["chars"], 0
        for r in chunk:
            if "error" in r:
                failed += 1
                if progress is not None and stats["failed"] + failed <= max_error_lines:
                    progress.write(f"error: {r['error']}")
            else:
                stats["sentences"] += len(r["sentences"])
        stats["documents"] += len(chunk)
        stats["failed"] += failed
        stats["chars"] += chars
        if progress is not None:
            progress.update(len(chunk), chars, failed)
    stats["seconds"] = round(time.monotonic() - start, 3)
    stats["chars_per_s"] = round(stats["chars"] / max(stats["seconds"], 1e-9), 1)
    return stats


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
