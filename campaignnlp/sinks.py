"""Writing tagged records to disk, crash-safely, in JSONL, CSV or Parquet.

Formats
-------
* ``jsonl``: one line per document, the record of :func:`campaignnlp.batch.doc_record`.
* ``csv`` / ``parquet``: one row per sentence, the columns of
  :func:`campaignnlp.batch.records_to_frame` plus ``error``. A document that failed is one row
  with ``doc_id`` and ``error``; a document with no sentences (blank text) is one row with only
  ``doc_id``, so every input id is in the output. In CSV the list and dict columns
  (``methods``, ``method_scores``, ``stage_scores``) are JSON strings; in Parquet ``methods`` is
  a list of strings and the score columns are structs with one field per label (JSON strings
  when the labels are not known).

Crash safety
------------
Records arrive in chunks (a few hundred documents). Each chunk becomes one *part file*,
written to ``part-NNNNNN.EXT.tmp``, flushed, fsync'd, then renamed to ``part-NNNNNN.EXT``
(``os.replace``, atomic on POSIX) and the directory fsync'd. A part is therefore complete or
absent, whatever moment the process is killed at; a leftover ``.tmp`` is a chunk that never
finished and is deleted on the next start.

* ``-o DIR`` (a directory, or a name without a suffix): the parts are the output (a Parquet
  directory is readable as one dataset by pandas, pyarrow, dask).
* ``-o out.jsonl`` (a file): the parts go to ``out.jsonl.parts/`` beside it; when the run
  ends they are concatenated into ``out.jsonl.tmp``, fsync'd and renamed over ``out.jsonl``,
  and only then is the parts directory removed. So ``out.jsonl`` is always either the old file
  or a complete new one, and while the parts directory exists it, not ``out.jsonl``, holds the
  truth: a crash after the rename but before the removal loses nothing and duplicates nothing.

Resume (``resume=True``) reads the ids of the documents in the existing parts and skips them.
If a finished ``out.jsonl`` exists and there is no parts directory, it is first renamed into
the parts directory as part 0, so the new records are added to it. Without ``resume``, an
existing parts directory (an interrupted run) is an error rather than silently discarded.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
from pathlib import Path
from typing import Iterator, Sequence

FORMATS = ("jsonl", "csv", "parquet")
COLUMNS = ["doc_id", "sent_index", "start", "end", "text", "stage", "stage_score", "methods",
           "method_scores", "stage_scores", "error"]
_PART = re.compile(r"^part-(\d{6})\.(jsonl|csv|parquet)$")


class OutputError(ValueError):
    """The output cannot be written as asked (the message says why and what to do)."""


def guess_format(output: Path, fmt: str | None = None) -> str:
    """``fmt`` if given, else from the output's suffix; jsonl for a directory."""
    if fmt:
        if fmt not in FORMATS:
            raise OutputError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
        return fmt
    suffix = output.suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    if suffix == "ndjson":
        return "jsonl"
    if is_directory_output(output):
        return "jsonl"
    raise OutputError(f"{output}: cannot tell the format from the suffix {output.suffix!r}; "
                      f"name it .jsonl, .csv or .parquet, or give --format")


def is_directory_output(output: Path) -> bool:
    return output.is_dir() or output.suffix == ""


def sentence_rows(record: dict) -> Iterator[dict]:
    """The rows of one document record, one per sentence (see the module docstring)."""
    if "error" in record:
        yield {"doc_id": record["id"], "error": record["error"]}
        return
    if not record["sentences"]:
        yield {"doc_id": record["id"]}
        return
    for k, s in enumerate(record["sentences"]):
        yield {"doc_id": record["id"], "sent_index": k, "start": s["start"], "end": s["end"],
               "text": s["text"], "stage": s["stage"], "stage_score": s["stage_scores"][s["stage"]],
               "methods": s["methods"], "method_scores": s["method_scores"],
               "stage_scores": s["stage_scores"]}


# -- formats: bytes of one part, ids of one part, merging parts --------------------------------

def _jsonl_bytes(records: Sequence[dict], labels) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")


def _csv_bytes(records: Sequence[dict], labels) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r in records:
        for row in sentence_rows(r):
            for key in ("methods", "method_scores", "stage_scores"):
                if key in row:
                    row[key] = json.dumps(row[key], ensure_ascii=False)
            writer.writerow(row)
    return buf.getvalue().encode("utf-8")


def parquet_schema(labels: tuple[Sequence[str], Sequence[str]] | None):
    import pyarrow as pa

    def scores(names):
        return pa.struct([(str(n), pa.float64()) for n in names]) if names else pa.string()

    stages, methods = labels if labels else ((), ())
    return pa.schema([
        ("doc_id", pa.string()), ("sent_index", pa.int32()), ("start", pa.int64()),
        ("end", pa.int64()), ("text", pa.string()), ("stage", pa.string()),
        ("stage_score", pa.float64()), ("methods", pa.list_(pa.string())),
        ("method_scores", scores(methods)), ("stage_scores", scores(stages)),
        ("error", pa.string()),
    ])


def _parquet_bytes(records: Sequence[dict], labels) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = parquet_schema(labels)
    rows = []
    for r in records:
        for row in sentence_rows(r):
            for key in ("method_scores", "stage_scores"):
                if key in row and pa.types.is_string(schema.field(key).type):
                    row[key] = json.dumps(row[key], ensure_ascii=False)
            rows.append(row)
    buf = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), buf)
    return buf.getvalue().to_pybytes()


def part_ids(path: Path) -> Iterator[str]:
    """The document ids in one part file."""
    fmt = path.suffix.lstrip(".")
    if fmt == "jsonl":
        with path.open(encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    yield json.loads(line)["id"]
    elif fmt == "csv":
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                yield row["doc_id"]
    else:
        import pyarrow.parquet as pq
        yield from pq.read_table(path, columns=["doc_id"]).column("doc_id").to_pylist()


def _merge(parts: list[Path], out, fmt: str, labels) -> None:
    """Concatenate part files into the open binary file ``out``, one part in memory at a time."""
    if fmt == "parquet":
        import pyarrow.parquet as pq

        writer = None
        for p in parts:
            table = pq.read_table(p)
            if writer is None:
                writer = pq.ParquetWriter(out, table.schema)
            writer.write_table(table)
        if writer is None:
            writer = pq.ParquetWriter(out, parquet_schema(labels))
        writer.close()
        return
    for k, p in enumerate(parts):
        with p.open("rb") as f:
            if fmt == "csv" and k > 0:
                f.readline()  # each part has the header; keep the first only
            shutil.copyfileobj(f, out)
    if fmt == "csv" and not parts:
        out.write((",".join(COLUMNS) + "\n").encode("utf-8"))


_WRITERS = {"jsonl": _jsonl_bytes, "csv": _csv_bytes, "parquet": _parquet_bytes}


# -- durable writing ---------------------------------------------------------------------------

def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    """``path`` holds ``data`` entirely, or is untouched: temp file, fsync, rename, fsync dir."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


class ChunkSink:
    """Writes chunks of records as part files; :meth:`close` assembles a file output.

    ``labels``: ``(stages, methods)`` of the model, for Parquet's score structs.
    """

    def __init__(self, output: str | Path, fmt: str | None = None, resume: bool = False,
                 labels: tuple[Sequence[str], Sequence[str]] | None = None):
        self.output = Path(output)
        self.fmt = guess_format(self.output, fmt)
        self.labels = labels
        self.directory_output = is_directory_output(self.output)
        self.parts_dir = (self.output if self.directory_output
                          else self.output.with_name(self.output.name + ".parts"))
        existing = self._parts() if self.parts_dir.is_dir() else []
        if not resume and existing:
            raise OutputError(
                f"{self.parts_dir} holds {len(existing)} chunk(s) of an earlier run that did not "
                f"finish: add --resume to continue it, or delete {self.parts_dir} to start over")
        if self.parts_dir.is_dir():
            other = {p.suffix.lstrip(".") for p in existing} - {self.fmt}
            if other:
                raise OutputError(f"{self.parts_dir} holds {', '.join(sorted(other))} chunks, "
                                  f"not {self.fmt}: use the same format to resume")
        self.parts_dir.mkdir(parents=True, exist_ok=True)
        for stale in self.parts_dir.glob("part-*.tmp"):  # chunks a killed run never finished
            stale.unlink()
        if resume and not existing and not self.directory_output and self.output.exists():
            # a finished output: it becomes part 0, and the new records are added after it
            os.replace(self.output, self.parts_dir / f"part-000000.{self.fmt}")
            _fsync_dir(self.parts_dir)
        self.next_part = max((int(_PART.match(p.name).group(1)) for p in self._parts()),
                             default=-1) + 1

    def _parts(self) -> list[Path]:
        return sorted(p for p in self.parts_dir.iterdir() if _PART.match(p.name))

    def done_ids(self) -> set[str]:
        """Ids of the documents already written (to skip on resume)."""
        ids: set[str] = set()
        for p in self._parts():
            ids.update(part_ids(p))
        return ids

    def write(self, records: Sequence[dict]) -> None:
        if not records:
            return
        path = self.parts_dir / f"part-{self.next_part:06d}.{self.fmt}"
        write_atomic(path, _WRITERS[self.fmt](records, self.labels))
        self.next_part += 1

    def close(self) -> Path:
        """Assemble the parts into the output file (nothing to do for a directory output)."""
        if self.directory_output:
            return self.output
        tmp = self.output.with_name(self.output.name + ".tmp")
        with tmp.open("wb") as out:
            _merge(self._parts(), out, self.fmt, self.labels)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.output)
        _fsync_dir(self.output.parent)
        shutil.rmtree(self.parts_dir)  # only now: until the rename the parts are the output
        return self.output


def read_output(path: str | Path):
    """A tagged output (file or part directory, any format) as a pandas DataFrame: one row per
    sentence for CSV/Parquet, one row per document for JSONL."""
    import pandas as pd

    path = Path(path)
    files = sorted(p for p in path.iterdir() if _PART.match(p.name)) if path.is_dir() else [path]
    frames = []
    for f in files:
        fmt = guess_format(f)
        if fmt == "jsonl":
            frames.append(pd.read_json(f, lines=True, dtype=False))
        elif fmt == "csv":
            frame = pd.read_csv(f, dtype={"doc_id": str, "text": str, "stage": str, "error": str},
                                keep_default_na=False, na_values={"sent_index": [""], "start": [""],
                                                                  "end": [""], "stage_score": [""]})
            for key in ("methods", "method_scores", "stage_scores"):
                frame[key] = [json.loads(v) if v else None for v in frame[key]]
            frames.append(frame)
        else:
            frames.append(pd.read_parquet(f))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)


__all__ = ["ChunkSink", "OutputError", "FORMATS", "COLUMNS", "guess_format", "sentence_rows",
           "read_output", "part_ids", "write_atomic"]
