"""Reading documents and annotations.

Two kinds of input:

* **documents to tag**: ``.txt`` files, directories of them, glob patterns, ``.jsonl`` files
  with one ``{"id", "text"}`` object per line, CSV and Parquet files with id and text columns,
  gzipped .txt/.jsonl/.csv, ``datasets`` directories. :func:`iter_documents` streams them as
  :class:`Document` items; a line that cannot be read becomes an item with an ``error`` naming
  the file and line, so a batch run can report it and go on.
* **annotations**: the codebook's JSONL (``{"id", "text", "spans": [{"start", "end", "stage",
  "methods"}]}``). :func:`read_annotations` validates them and raises
  :class:`AnnotationError` naming file, line, document and offset.
"""
from __future__ import annotations

import csv
import glob
import gzip
import hashlib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator


class AnnotationError(ValueError):
    """Bad annotation data; the message names the place (file, line, document, offset)."""


@dataclass
class Document:
    id: str
    text: str | None
    error: str | None = None
    meta: dict = field(default_factory=dict)


@dataclass
class Annotated:
    """A document with gold sentence spans: ``spans`` are dicts start/end/stage/methods."""
    id: str
    text: str
    spans: list[dict]
    meta: dict = field(default_factory=dict)
    source: str = ""

    @property
    def bounds(self) -> list[tuple[int, int]]:
        return [(s["start"], s["end"]) for s in self.spans]


class TextDecodeError(UnicodeDecodeError):
    """Bytes that are not text in an encoding :func:`decode_text` reads. ``str()`` names the
    file, the byte offset and the reason."""

    def __init__(self, name: str, encoding: str, data: bytes, start: int, reason: str):
        super().__init__(encoding, data, start, min(start + 1, len(data)), reason)
        self.name = str(name)

    def __str__(self) -> str:
        return f"{self.name}, byte offset {self.start}: {self.reason}"

    def __reduce__(self):  # picklable, for worker processes
        return type(self), (self.name, self.encoding, self.object, self.start, self.reason)


_BOMS = (  # UTF-32 first: its little-endian BOM starts with UTF-16's
    (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"),
)
# C0 controls that do not occur in text files (tab, LF, VT, FF, CR and DOS's EOF 0x1a do)
_BINARY = re.compile("[\x00-\x08\x0e-\x19\x1b-\x1f]")
GB18030_MIN_COMMON = 0.9


def _byte_offset(text: str, i: int, encoding: str, skip: int) -> int:
    return skip + len(text[:i].encode(encoding))


def _unusual_chars(text: str) -> tuple[int, int, int]:
    """(non-ASCII characters, how many of them are unusual, index of the first unusual one).

    Usual: punctuation, symbols and spaces, and letters in GB2312 (the 6,763 common simplified
    characters, kana, Greek, Cyrillic, full-width forms), directly or as the traditional form
    of one. Unusual: other letters, private-use and unassigned code points: what bytes of
    another encoding become when read as GB18030.
    """
    import unicodedata
    from collections import Counter

    from .normalize import _t2s

    t2s = _t2s()

    def usual(ch: str) -> bool:
        cat = unicodedata.category(ch)
        if cat in ("Co", "Cn"):
            return False
        if not cat.startswith("L"):
            return True
        for c in (ch, t2s.convert(ch) if t2s is not None else ch):
            try:
                c.encode("gb2312")
                return True
            except UnicodeEncodeError:
                pass
        return False

    counts = Counter(ch for ch in text if ch > "\x7f")
    unusual = {ch for ch in counts if not usual(ch)}
    first = next((i for i, ch in enumerate(text) if ch in unusual), -1) if unusual else -1
    return sum(counts.values()), sum(counts[ch] for ch in unusual), first


def decode_text(data: bytes, name: str | Path = "<bytes>") -> str:
    """Text of a file's bytes, by a fixed rule (``name`` is for error messages).

    1. A byte-order mark decides (UTF-8, UTF-16, UTF-32); the mark is dropped.
    2. Otherwise UTF-8 if the bytes are valid UTF-8;
    3. otherwise GB18030 (which includes GBK and GB2312) if they are valid GB18030 and at least
       90% of the non-ASCII characters are usual ones (see :func:`_unusual_chars`; at most two
       unusual ones always pass, for rare names). Latin-1, Shift-JIS or Big5 bytes read as
       GB18030 decode to rare characters and fail this check. (EUC-KR passes it: it has the
       same byte layout as GB2312. Only language identification would tell them apart.)
    4. Text with a NUL or with more than 1% other control characters is refused as binary.

    CRLF and a lone CR become LF, so offsets index the returned text. Anything refused raises
    :class:`TextDecodeError` naming the file and the byte offset where reading failed.
    """
    skip, encoding = 0, None
    for bom, enc in _BOMS:
        if data.startswith(bom):
            skip, encoding = len(bom), enc
            break
    if encoding is not None:
        try:
            text = data[skip:].decode(encoding)
        except UnicodeDecodeError as e:
            raise TextDecodeError(name, encoding, data, skip + e.start,
                                  f"invalid {encoding} after its byte-order mark ({e.reason})") from None
    else:
        try:
            encoding, text = "utf-8", data.decode("utf-8")
        except UnicodeDecodeError as utf8_error:
            try:
                encoding, text = "gb18030", data.decode("gb18030")
            except UnicodeDecodeError as gb_error:
                raise TextDecodeError(
                    name, "utf-8", data, utf8_error.start,
                    f"neither UTF-8 (invalid byte 0x{data[utf8_error.start]:02x}) nor GB18030/GBK "
                    f"(invalid at byte offset {gb_error.start})") from None
            n, bad, first = _unusual_chars(text)
            if bad > 2 and bad > (1 - GB18030_MIN_COMMON) * n:
                raise TextDecodeError(
                    name, "gb18030", data, _byte_offset(text, first, encoding, 0),
                    f"not UTF-8 (invalid at byte offset {utf8_error.start}) and not Chinese text "
                    f"in GB18030/GBK: read so, {bad} of {n} non-ASCII characters are rare or "
                    f"private-use ones, the first {text[first]!r} here. Another encoding?")
    if text.startswith("\ufeff"):  # GB18030's byte-order mark (0x84319533), or a doubled one
        text, skip = text[1:], skip + len("\ufeff".encode(encoding))
    first_control = _BINARY.search(text)
    if first_control is not None:
        n_controls = sum(1 for _ in _BINARY.finditer(text))
        nul = text.find("\x00")
        if nul >= 0 or n_controls > 0.01 * len(text):
            at = nul if nul >= 0 else first_control.start()
            why = ("a NUL character here; UTF-16 without a byte-order mark also reads like this"
                   if nul >= 0 else f"{n_controls} control characters, the first {text[at]!r} here")
            raise TextDecodeError(name, encoding, data, _byte_offset(text, at, encoding, skip),
                                  f"binary, not text (read as {encoding}: {why})")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _read_text_file(path: Path) -> str:
    """A .txt file's text (encoding rule: :func:`decode_text`); errors name the file."""
    return decode_text(Path(path).read_bytes(), path)


GLOB_CHARS = set("*?[")
DATASET_MARKERS = ("dataset_info.json", "state.json", "dataset_dict.json")


def iter_documents(inputs: Iterable[str | Path], id_field: str = "id",
                   text_field: str = "text") -> Iterator[Document]:
    """Stream documents from the inputs, one at a time (nothing is read ahead).

    Each input is a ``.txt`` file (one document, id = its path), a directory (every ``.txt``
    under it, or a Hugging Face ``datasets`` directory written by ``save_to_disk``), a glob
    pattern the shell did not expand (``reports/**/*.txt``), or a file of records: ``.jsonl``,
    ``.csv``, ``.parquet`` (``id_field``/``text_field`` name the keys or columns; other fields
    go to ``meta``, except for Parquet and datasets, which read only those two columns).
    ``.gz`` versions of .txt, .jsonl and .csv are read as they are decompressed.
    """
    for raw in inputs:
        path = Path(raw)
        if not path.exists() and GLOB_CHARS & set(str(raw)):
            matches = sorted(glob.glob(str(raw), recursive=True))
            if not matches:
                yield Document(id=str(raw), text=None, error=f"{raw}: no file matches this pattern")
            for m in matches:
                if Path(m).is_file():  # a pattern matching directories means their files
                    yield from _iter_file(Path(m), m, id_field, text_field)
                else:
                    yield from _iter_dir(Path(m), id_field, text_field)
        elif path.is_dir():
            yield from _iter_dir(path, id_field, text_field)
        elif path.exists():
            yield from _iter_file(path, str(raw), id_field, text_field)
        else:
            yield Document(id=str(raw), text=None, error=f"{raw}: no such file or directory")


def count_documents(inputs: Iterable[str | Path]) -> int | None:
    """The number of documents :func:`iter_documents` will yield, when that is cheap to know
    (files, directories, Parquet metadata, datasets); None when it would mean reading the
    inputs (JSONL, CSV)."""
    total = 0
    for raw in inputs:
        path = Path(raw)
        if not path.exists() and GLOB_CHARS & set(str(raw)):
            paths = [Path(m) for m in glob.glob(str(raw), recursive=True)] or [path]
        else:
            paths = [path]
        for p in paths:
            if p.is_dir() and _is_dataset_dir(p):
                return None if (p / "dataset_dict.json").exists() else _dataset_len(p)
            elif p.is_dir():
                total += sum(1 for c in p.rglob("*.txt") if c.is_file())
            elif _kind(p) == "parquet":
                try:
                    import pyarrow.parquet as pq
                    total += pq.ParquetFile(p).metadata.num_rows
                except Exception:  # noqa: BLE001 - counted as the one error record it becomes
                    total += 1
            elif _kind(p) in ("jsonl", "csv"):
                return None
            else:
                total += 1
    return total


def _kind(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    for suffix, kind in ((".jsonl", "jsonl"), (".ndjson", "jsonl"), (".csv", "csv"),
                         (".parquet", "parquet")):
        if name.endswith(suffix):
            return kind
    return "txt"


def _iter_file(path: Path, doc_id: str, id_field: str, text_field: str) -> Iterator[Document]:
    kind = _kind(path)
    if kind == "jsonl":
        yield from _iter_jsonl(path, id_field, text_field)
    elif kind == "csv":
        yield from _iter_csv(path, id_field, text_field)
    elif kind == "parquet" and not path.name.endswith(".gz"):
        yield from _iter_parquet(path, id_field, text_field)
    elif path.name.endswith(".gz"):
        yield from _iter_txt(path, doc_id, gzipped=True)
    else:
        yield from _iter_txt(path, doc_id)


def _is_dataset_dir(path: Path) -> bool:
    return any((path / m).is_file() for m in DATASET_MARKERS)


def _iter_dir(path: Path, id_field: str, text_field: str) -> Iterator[Document]:
    if _is_dataset_dir(path):
        yield from _iter_dataset_dir(path, id_field, text_field)
        return
    for child in sorted(p for p in path.rglob("*.txt") if p.is_file()):
        yield from _iter_txt(child, str(child))


def _open_text(path: Path, errors: str = "strict"):
    """A text stream over a file, gunzipped as it is read when the name ends in .gz."""
    if path.name.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8-sig", errors=errors, newline="")
    return path.open(encoding="utf-8-sig", errors=errors, newline="")


def _iter_csv(path: Path, id_field: str, text_field: str) -> Iterator[Document]:
    # Documents are long: the csv module's default limit (128 KiB a field) would cut them.
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    row = 0
    try:
        with _open_text(path, errors="replace") as f:
            reader = csv.DictReader(f)
            try:
                header = reader.fieldnames or []
            except (csv.Error, OSError, EOFError) as e:
                yield Document(id=str(path), text=None, error=f"{path}:1: cannot read the header: {e}")
                return
            if text_field not in header:
                yield Document(id=str(path), text=None,
                               error=f"{path}:1: no column {text_field!r} (columns: {', '.join(header)})")
                return
            while True:
                row += 1
                try:
                    rec = next(reader)
                except StopIteration:
                    return
                except csv.Error as e:  # a malformed row: report it, the reader moves on
                    where = f"{path}:{reader.line_num} (row {row})"
                    yield Document(id=where, text=None, error=f"{where}: bad CSV row: {e}")
                    continue
                where = f"{path}:{reader.line_num} (row {row})"
                if None in rec:  # more fields than the header has
                    yield Document(id=rec.get(id_field) or where, text=None,
                                   error=f"{where}: {len(header) + len(rec[None])} fields, "
                                         f"the header has {len(header)}")
                    continue
                text = rec.get(text_field)
                doc_id = rec.get(id_field) or where
                if text is None:
                    yield Document(id=doc_id, text=None, error=f"{where}: the row has no {text_field!r} field")
                    continue
                meta = {k: v for k, v in rec.items() if k not in (id_field, text_field)}
                yield Document(id=doc_id, text=text.replace("\r\n", "\n"), meta=meta)
    except (OSError, EOFError, UnicodeDecodeError) as e:  # truncated or corrupt .gz
        yield Document(id=str(path), text=None, error=f"{path}: cannot read past row {row}: {e}")


def _iter_parquet(path: Path, id_field: str, text_field: str,
                  batch_size: int = 1024) -> Iterator[Document]:
    """Row batches of the id and text columns only: memory bounded by the batch, not the file."""
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
        names = pf.schema_arrow.names
    except Exception as e:  # noqa: BLE001 - pyarrow raises several types for a bad file
        yield Document(id=str(path), text=None, error=f"{path}: cannot read as Parquet: {e}")
        return
    if text_field not in names:
        yield Document(id=str(path), text=None,
                       error=f"{path}: no column {text_field!r} (columns: {', '.join(names)})")
        return
    columns = [text_field] + ([id_field] if id_field in names else [])
    row = 0
    try:
        for batch in pf.iter_batches(batch_size=batch_size, columns=columns):
            yield from _rows_to_documents(batch.to_pydict(), row, f"{path}: row", id_field, text_field)
            row += batch.num_rows
    except Exception as e:  # noqa: BLE001
        yield Document(id=f"{path}: row {row + 1}", text=None,
                       error=f"{path}: cannot read past row {row}: {e}")


def _rows_to_documents(columns: dict, first: int, place: str, id_field: str,
                       text_field: str) -> Iterator[Document]:
    """Documents from a column batch (``{name: [values]}``); rows are numbered from 1."""
    texts = columns[text_field]
    ids = columns.get(id_field)
    for k, text in enumerate(texts):
        where = f"{place} {first + k + 1}"
        doc_id = where if ids is None or ids[k] is None else str(ids[k])
        if isinstance(text, str):
            yield Document(id=doc_id, text=text)
        else:
            yield Document(id=doc_id, text=None, error=f"{where}: {text_field!r} is not a string")


def _dataset_len(path: Path) -> int | None:
    try:
        import datasets
        return len(datasets.load_from_disk(str(path)))
    except Exception:  # noqa: BLE001 - the count is only for the progress bar
        return None


def _iter_dataset_dir(path: Path, id_field: str, text_field: str,
                      batch_size: int = 1024) -> Iterator[Document]:
    """A ``datasets`` ``save_to_disk`` directory: memory-mapped Arrow, read batch by batch.
    A DatasetDict gives its splits in turn (row places name the split)."""
    try:
        import datasets
        loaded = datasets.load_from_disk(str(path))
    except Exception as e:  # noqa: BLE001
        yield Document(id=str(path), text=None, error=f"{path}: cannot load as a datasets directory: {e}")
        return
    splits = loaded.items() if isinstance(loaded, datasets.DatasetDict) else [(None, loaded)]
    for split, ds in splits:
        place = f"{path}: {split + ' ' if split else ''}row"
        if text_field not in ds.column_names:
            yield Document(id=f"{path}:{split or ''}", text=None,
                           error=f"{place.rsplit(' row', 1)[0]}: no column {text_field!r} "
                                 f"(columns: {', '.join(ds.column_names)})")
            continue
        ds = ds.select_columns([c for c in (text_field, id_field) if c in ds.column_names])
        for first, batch in zip(range(0, len(ds), batch_size), ds.iter(batch_size=batch_size)):
            yield from _rows_to_documents(batch, first, place, id_field, text_field)


def _iter_txt(path: Path, doc_id: str, gzipped: bool = False) -> Iterator[Document]:
    """One document: the file's text (a .txt.gz file is decompressed first, then read by the
    same encoding rule)."""
    try:
        data = path.read_bytes()
        yield Document(id=doc_id, text=decode_text(gzip.decompress(data) if gzipped else data, path))
    except TextDecodeError as e:  # its message names the file and the byte offset already
        yield Document(id=doc_id, text=None, error=str(e))
    except (OSError, EOFError, UnicodeDecodeError) as e:  # BadGzipFile is an OSError
        yield Document(id=doc_id, text=None, error=f"{path}: cannot read: {e}")


def _json_lines(path: Path, errors: str = "strict") -> Iterator[tuple[str, object, str | None]]:
    """``(place, object, error)`` for each non-blank line; place is ``file:line``."""
    with _open_text(path, errors) as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            where = f"{path}:{lineno}"
            try:
                yield where, json.loads(line), None
            except json.JSONDecodeError as e:
                yield where, None, f"{where}: not valid JSON ({e.msg} at column {e.colno})"


def _iter_jsonl(path: Path, id_field: str, text_field: str) -> Iterator[Document]:
    line = 0
    try:
        for where, doc in _jsonl_documents(path, id_field, text_field):
            line = int(where.rsplit(":", 1)[1])
            yield doc
    except (OSError, EOFError) as e:  # a truncated or corrupt .gz: keep what was read
        yield Document(id=f"{path}:{line + 1}", text=None,
                       error=f"{path}:{line + 1}: cannot read the file from here on: {e}")


def _jsonl_documents(path: Path, id_field: str, text_field: str) -> Iterator[tuple[str, Document]]:
    for where, obj, error in _json_lines(path, errors="replace"):
        if error:
            yield where, Document(id=where, text=None, error=error)
            continue
        if not isinstance(obj, dict):
            yield where, Document(id=where, text=None, error=f"{where}: expected a JSON object")
            continue
        doc_id = obj.get(id_field)
        doc_id = where if doc_id is None else str(doc_id)
        text = obj.get(text_field)
        if not isinstance(text, str):
            yield where, Document(id=doc_id, text=None,
                                  error=f"{where}: no {text_field!r} string in this record")
            continue
        meta = {k: v for k, v in obj.items() if k not in (id_field, text_field)}
        yield where, Document(id=doc_id, text=text, meta=meta)


def read_annotations(paths: Iterable[str | Path], stages: Iterable[str] | None = None,
                     methods: Iterable[str] | None = None) -> list[Annotated]:
    """Read and validate codebook JSONL files.

    ``stages``/``methods``: allowed labels; None accepts any (a user's own label set).
    """
    stages = set(stages) if stages is not None else None
    methods = set(methods) if methods is not None else None
    docs: list[Annotated] = []
    seen: dict[str, str] = {}
    for p in paths:
        for where, obj, error in _json_lines(Path(p)):
            if error:
                raise AnnotationError(error)
            doc = _validate(obj, where, stages, methods)
            if doc.id in seen:
                raise AnnotationError(f"{where}: duplicate document id {doc.id!r} (first at {seen[doc.id]})")
            seen[doc.id] = where
            doc.source = where
            docs.append(doc)
    return docs


def _validate(obj, where, stages, methods) -> Annotated:
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        raise AnnotationError(f"{where}: expected an object with a 'text' string")
    doc_id = str(obj.get("id", where))
    text = obj["text"]
    spans = obj.get("spans", [])
    if not isinstance(spans, list):
        raise AnnotationError(f"{where}: document {doc_id!r}: 'spans' must be a list")
    clean, last_end = [], 0
    for k, s in enumerate(sorted(spans, key=lambda s: (s.get("start", 0), s.get("end", 0)))):
        at = f"{where}: document {doc_id!r}: span {k}"
        try:
            start, end = int(s["start"]), int(s["end"])
        except (KeyError, TypeError, ValueError):
            raise AnnotationError(f"{at}: needs integer 'start' and 'end'") from None
        if not 0 <= start < end <= len(text):
            raise AnnotationError(f"{at}: offsets {start}-{end} outside the text (length {len(text)})")
        if start < last_end:
            raise AnnotationError(f"{at}: offsets {start}-{end} overlap the previous span (ends at {last_end})")
        stage = s.get("stage")
        if not isinstance(stage, str) or (stages is not None and stage not in stages):
            raise AnnotationError(f"{at} (offset {start}): unknown stage {stage!r}{_suggest(stage, stages)}")
        ms = s.get("methods", []) or []
        if not isinstance(ms, list):
            raise AnnotationError(f"{at} (offset {start}): 'methods' must be a list")
        for m in ms:
            if not isinstance(m, str) or (methods is not None and m not in methods):
                raise AnnotationError(f"{at} (offset {start}): unknown method {m!r}{_suggest(m, methods)}")
        clean.append({"start": start, "end": end, "stage": stage, "methods": list(dict.fromkeys(ms))})
        last_end = end
    return Annotated(id=doc_id, text=text, spans=clean, meta=obj.get("meta") or {})


def _suggest(label, known) -> str:
    if not known or not isinstance(label, str):
        return ""
    import difflib
    close = difflib.get_close_matches(label, sorted(known), n=1, cutoff=0.0)
    return f" (did you mean {close[0]!r}?)" if close else ""


def data_hash(docs: Iterable[Annotated]) -> str:
    """sha256 over the documents' ids, texts and labels: identifies a training set."""
    h = hashlib.sha256()
    for d in docs:
        h.update(json.dumps({"id": d.id, "text": d.text, "spans": d.spans}, ensure_ascii=False,
                            sort_keys=True).encode("utf-8"))
    return h.hexdigest()


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def read_standoff(paths: Iterable[str | Path], corpus: Iterable[str | Path],
                  stages: Iterable[str] | None = None,
                  methods: Iterable[str] | None = None) -> list[Annotated]:
    """Join standoff annotations (``{"id", "sha1", "spans"}``, no text) to their corpus texts.

    ``corpus``: JSONL files (gzipped too) with ``{"id", "text"}`` records. An annotation may
    name ``"fields"`` (e.g. ``["title", "text"]``): its document is then those fields of the
    corpus record joined by line breaks. A document whose text hash differs from the
    annotation's ``sha1`` is refused: its offsets would point at the wrong characters.
    """
    wanted: dict[str, tuple[dict, str]] = {}
    for p in paths:
        for where, obj, error in _json_lines(Path(p)):
            if error:
                raise AnnotationError(error)
            if obj.get("id") in wanted:
                raise AnnotationError(f"{where}: duplicate document id {obj.get('id')!r}")
            fields = obj.get("fields", ["text"])
            if not (isinstance(fields, list) and fields and all(isinstance(f, str) for f in fields)):
                raise AnnotationError(f"{where}: 'fields' must be a list of record field names")
            wanted[obj["id"]] = (obj, where)
    texts: dict[str, str] = {}
    for p in corpus:
        for where, rec, error in _json_lines(Path(p)):
            if error:
                raise AnnotationError(error)
            doc_id = rec.get("id")
            if doc_id not in wanted:
                continue
            fields = wanted[doc_id][0].get("fields", ["text"])
            missing = [f for f in fields if not isinstance(rec.get(f), str)]
            if missing:
                raise AnnotationError(f"{where}: document {doc_id!r} has no text field {missing[0]!r} "
                                      f"(named by {wanted[doc_id][1]})")
            # corpora may share ids (a subset re-cut from a larger corpus): the hash decides
            text = "\n".join(rec[f] for f in fields)
            if texts.get(doc_id) is None or _sha1(text) == wanted[doc_id][0].get("sha1"):
                texts[doc_id] = text
    docs = []
    for doc_id, (obj, where) in wanted.items():
        if doc_id not in texts:
            raise AnnotationError(f"{where}: document {doc_id!r} is not in the corpus")
        text = texts[doc_id]
        digest = _sha1(text)
        if digest != obj.get("sha1"):
            raise AnnotationError(f"{where}: document {doc_id!r}: corpus text has sha1 {digest}, "
                                  f"annotation expects {obj.get('sha1')}: refusing to join")
        doc = _validate({"id": doc_id, "text": text, "spans": obj["spans"], "meta": obj.get("meta")},
                        where, set(stages) if stages else None, set(methods) if methods else None)
        doc.source = where
        docs.append(doc)
    return docs
