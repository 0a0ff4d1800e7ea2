"""Reading documents and annotations.

Two kinds of input:

* **documents to tag**: ``.txt`` files, directories of them, ``.jsonl`` files with one
  ``{"id", "text"}`` object per line. :func:`iter_documents` streams them as
  :class:`Document` items; a line that cannot be read becomes an item with an ``error`` naming
  the file and line, so a batch run can report it and go on.
* **annotations**: the codebook's JSONL (``{"id", "text", "spans": [{"start", "end", "stage",
  "methods"}]}``). :func:`read_annotations` validates them and raises
  :class:`AnnotationError` naming file, line, document and offset.
"""
from __future__ import annotations

import hashlib
import json
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


def _read_text_file(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes nearly anything
        raise UnicodeDecodeError("utf-8", data, 0, 1, f"{path}: neither UTF-8 nor GB18030")
    return text.replace("\r\n", "\n")


def iter_documents(inputs: Iterable[str | Path], id_field: str = "id",
                   text_field: str = "text") -> Iterator[Document]:
    """Stream documents from .txt files, directories of .txt, and .jsonl files."""
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*.txt") if p.is_file()):
                yield from _iter_txt(child, str(child))
        elif path.suffix == ".jsonl":
            yield from _iter_jsonl(path, id_field, text_field)
        elif path.exists():
            yield from _iter_txt(path, str(raw))
        else:
            yield Document(id=str(raw), text=None, error=f"{raw}: no such file or directory")


def _iter_txt(path: Path, doc_id: str) -> Iterator[Document]:
    try:
        yield Document(id=doc_id, text=_read_text_file(path))
    except (OSError, UnicodeDecodeError) as e:
        yield Document(id=doc_id, text=None, error=f"{path}: cannot read: {e}")


def _json_lines(path: Path, errors: str = "strict") -> Iterator[tuple[str, object, str | None]]:
    """``(place, object, error)`` for each non-blank line; place is ``file:line``."""
    with path.open(encoding="utf-8-sig", errors=errors) as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            where = f"{path}:{lineno}"
            try:
                yield where, json.loads(line), None
            except json.JSONDecodeError as e:
                yield where, None, f"{where}: not valid JSON ({e.msg} at column {e.colno})"


def _iter_jsonl(path: Path, id_field: str, text_field: str) -> Iterator[Document]:
    for where, obj, error in _json_lines(path, errors="replace"):
        if error:
            yield Document(id=where, text=None, error=error)
            continue
        if not isinstance(obj, dict):
            yield Document(id=where, text=None, error=f"{where}: expected a JSON object")
            continue
        doc_id = obj.get(id_field)
        doc_id = where if doc_id is None else str(doc_id)
        text = obj.get(text_field)
        if not isinstance(text, str):
            yield Document(id=doc_id, text=None,
                           error=f"{where}: no {text_field!r} string in this record")
            continue
        meta = {k: v for k, v in obj.items() if k not in (id_field, text_field)}
        yield Document(id=doc_id, text=text, meta=meta)


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


def read_standoff(paths: Iterable[str | Path], corpus: Iterable[str | Path],
                  stages: Iterable[str] | None = None,
                  methods: Iterable[str] | None = None) -> list[Annotated]:
    """Join standoff annotations (``{"id", "sha1", "spans"}``, no text) to their corpus texts.

    ``corpus``: JSONL files with ``{"id", "text"}`` records. A document whose text hash differs
    from the annotation's ``sha1`` is refused: its offsets would point at the wrong characters.
    """
    wanted: dict[str, tuple[dict, str]] = {}
    for p in paths:
        for where, obj, error in _json_lines(Path(p)):
            if error:
                raise AnnotationError(error)
            if obj.get("id") in wanted:
                raise AnnotationError(f"{where}: duplicate document id {obj.get('id')!r}")
            wanted[obj["id"]] = (obj, where)
    texts: dict[str, str] = {}
    for p in corpus:
        with Path(p).open(encoding="utf-8") as f:
            for line in f:
                obj = json.loads(line)
                if obj.get("id") in wanted:
                    texts[obj["id"]] = obj["text"]
    docs = []
    for doc_id, (obj, where) in wanted.items():
        if doc_id not in texts:
            raise AnnotationError(f"{where}: document {doc_id!r} is not in the corpus")
        text = texts[doc_id]
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()
        if digest != obj.get("sha1"):
            raise AnnotationError(f"{where}: document {doc_id!r}: corpus text has sha1 {digest}, "
                                  f"annotation expects {obj.get('sha1')}: refusing to join")
        doc = _validate({"id": doc_id, "text": text, "spans": obj["spans"], "meta": obj.get("meta")},
                        where, set(stages) if stages else None, set(methods) if methods else None)
        doc.source = where
        docs.append(doc)
    return docs
