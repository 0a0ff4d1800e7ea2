"""Annotation formats: reading and writing gold sentences in the tools people annotate with.

Every reader returns :class:`campaignnlp.corpus.Annotated` documents that went through the
same checks as the codebook reader (overlapping spans, offsets outside the text, unknown labels
with a did-you-mean, duplicate ids): an :class:`~campaignnlp.corpus.AnnotationError` names the
file, the line (JSONL) or task index (a JSON list), the document id and the offset.

Formats (``FORMATS``):

``codebook``
    Our JSONL, one document per line: ``{"id", "text", "spans": [{"start", "end", "stage",
    "methods"}], "meta"}``.
``labelstudio``
    A Label Studio JSON export: a list of tasks ``{"data": {"text", "doc_id", "meta"},
    "annotations": [{"result": [...]}], "predictions": [...]}``. Span results have type
    ``labels``; a sentence's stage is a result with ``from_name`` ``"stage"`` and its methods
    a result with ``from_name`` ``"methods"`` on the same offsets (same region id), as made by
    the labelling config of :func:`labelstudio_config`. Results of type ``choices`` label the
    **whole task text as one sentence**: tasks whose text is a single sentence carry its stage
    and methods as choices (``from_name`` ``"stage"`` / ``"methods"``). The last annotation
    that was not cancelled is read; a task without annotations is read from its prediction with
    the highest score (a pre-annotated export). Offsets are Python code points; an export whose
    offsets count UTF-16 units (older Label Studio, texts with emoji or rare CJK
    characters) is recognised from the region's ``text`` and converted.
``doccano``
    JSONL ``{"text", "label": [[start, end, label], ...]}`` (sequence labelling), entity-style
    ``{"text", "entities": [{"start_offset", "end_offset", "label"}]}``, or text
    classification ``{"text", "label": [label, ...]}`` (the whole text is one sentence). The
    document id is ``doc_id`` (else ``id``).
``prodigy``
    JSONL ``{"text", "spans": [{"start", "end", "label"}], "meta": {"doc_id"}, "answer"}``
    (``ner_manual`` / ``spans_manual``), or textcat choice tasks ``{"text", "accept": [label,
    ...], "options": [...], "answer"}`` (the whole text is one sentence). Tasks answered
    ``reject`` or ``ignore`` are skipped.

**One sentence, several labels.** In the span formats a sentence carries one stage and any
number of methods on the same offsets: it is written as **one span per label with identical
offsets** (in Label Studio, one region with a ``stage`` and a ``methods`` result). Readers
group spans by their offsets; a group must hold exactly one stage. Labels are written bare
when they are the codebook's (``学习教育``, ``理论学习``); any other label is written with a
prefix, ``stage:LABEL`` or ``method:LABEL``, so a user's own label set round-trips. Reading, a
prefixed label is taken as given, a bare label by the label sets passed in (default: the
codebook's), and Label Studio's ``from_name`` decides where it is ``stage`` or ``methods``.

**Sentence boundaries.** A span should cover one sentence unit
(:func:`campaignnlp.sentences.codebook_units`, or a unit of
:func:`~campaignnlp.sentences.split_sentences`, the tagger's finer cut). A span that does not
(a selection that missed the final 。, or one covering two sentences) is aligned to the codebook
units it overlaps, each taking its labels, with an :class:`UnalignedSpanWarning` naming the
place. Units no span covers are left out (a partly annotated document trains on what it has).
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from .corpus import AnnotationError, Annotated, _json_lines, _suggest, _validate, read_standoff
from .labels import METHODS, STAGES
from .sentences import codebook_units, split_sentences

FORMATS = ("codebook", "labelstudio", "doccano", "prodigy")
EXTENSIONS = {"codebook": ".jsonl", "labelstudio": ".json", "doccano": ".jsonl", "prodigy": ".jsonl"}
STAGE_PREFIX, METHOD_PREFIX = "stage:", "method:"
LS_STAGE, LS_METHODS = "stage", "methods"


class UnalignedSpanWarning(UserWarning):
    """A span that does not sit on sentence-unit boundaries was aligned to the units it covers."""


# -- labels -------------------------------------------------------------------------------------

def encode_label(kind: str, label: str) -> str:
    """``kind`` is "stage" or "method": bare for the codebook's labels, else prefixed."""
    if kind == "stage":
        return label if label in STAGES else STAGE_PREFIX + label
    return label if label in METHODS else METHOD_PREFIX + label


def _classify(label, where: str, stages, methods) -> tuple[str, str]:
    """``(kind, label)`` for a label read from a span format."""
    if not isinstance(label, str):
        raise AnnotationError(f"{where}: label {label!r} is not a string")
    for prefix, kind in ((STAGE_PREFIX, "stage"), (METHOD_PREFIX, "method"), ("methods:", "method")):
        if label.startswith(prefix):
            return kind, label[len(prefix):]
    known_stages = set(stages) if stages is not None else set(STAGES)
    known_methods = set(methods) if methods is not None else set(METHODS)
    if label in known_stages:
        return "stage", label
    if label in known_methods:
        return "method", label
    raise AnnotationError(
        f"{where}: unknown label {label!r}{_suggest(label, known_stages | known_methods)}; "
        f"labels of your own are written {STAGE_PREFIX}LABEL or {METHOD_PREFIX}LABEL")


class _Doc:
    """A document being read: labels collected per offsets, checked in :meth:`finish`."""

    def __init__(self, where: str, doc_id: str, text, meta: dict | None):
        self.where, self.id, self.text, self.meta = where, doc_id, text, meta or {}
        self.groups: dict[tuple[int, int], dict] = {}

    def _at(self, start) -> str:
        return f"{self.where}: document {self.id!r} (offset {start})"

    def add(self, start, end, kind: str, label: str) -> None:
        try:
            key = (int(start), int(end))
        except (TypeError, ValueError):
            raise AnnotationError(f"{self._at(start)}: span needs integer start and end, got "
                                  f"{start!r}-{end!r}") from None
        g = self.groups.setdefault(key, {"stage": [], "methods": []})
        g["stage" if kind == "stage" else "methods"].append(label)

    def add_label(self, start, end, label, stages, methods, kind: str | None = None) -> None:
        if kind is None:
            kind, label = _classify(label, self._at(start), stages, methods)
        elif not isinstance(label, str):
            raise AnnotationError(f"{self._at(start)}: label {label!r} is not a string")
        self.add(start, end, kind, label)

    def whole_text(self) -> tuple[int, int]:
        """The task text as one sentence: its offsets without surrounding whitespace."""
        text = self.text if isinstance(self.text, str) else ""
        start = len(text) - len(text.lstrip())
        return start, max(start, len(text.rstrip()))

    def finish(self, stages, methods) -> Annotated:
        if not isinstance(self.text, str):
            raise AnnotationError(f"{self.where}: document {self.id!r}: no text string")
        spans = []
        for (start, end), g in sorted(self.groups.items()):
            stage = list(dict.fromkeys(g["stage"]))  # the same stage twice is one stage
            if len(stage) != 1:
                what = "no stage label" if not stage else f"{len(stage)} stage labels {stage}"
                raise AnnotationError(f"{self._at(start)}: span {start}-{end} has {what}; "
                                      "every sentence takes exactly one stage")
            spans.append({"start": start, "end": end, "stage": stage[0], "methods": g["methods"]})
        obj = {"id": self.id, "text": self.text, "spans": spans, "meta": self.meta}
        doc = _validate(obj, self.where, _set(stages), _set(methods))
        doc.source = self.where
        return doc


def _set(labels):
    return set(labels) if labels is not None else None


# -- alignment to sentence units ------------------------------------------------------------

def align_to_units(doc: Annotated) -> Annotated:
    """Snap spans that are not sentence units onto the codebook units they overlap (warning)."""
    exact = set(codebook_units(doc.text)) | set(split_sentences(doc.text))
    if all((s["start"], s["end"]) in exact for s in doc.spans):
        return doc
    units = codebook_units(doc.text)
    kept = [s for s in doc.spans if (s["start"], s["end"]) in exact]
    claimed: dict[tuple[int, int], tuple[int, dict]] = {}  # unit -> (overlap, span)
    for s in doc.spans:
        if (s["start"], s["end"]) in exact:
            continue
        cover = [u for u in units if u[0] < s["end"] and s["start"] < u[1]]
        place = f"{doc.source}: document {doc.id!r} (offset {s['start']})"
        if not cover:
            warnings.warn(f"{place}: span {s['start']}-{s['end']} covers no sentence unit "
                          "(only whitespace); dropped", UnalignedSpanWarning, stacklevel=2)
            continue
        warnings.warn(f"{place}: span {s['start']}-{s['end']} does not sit on sentence boundaries; "
                      f"aligned to unit(s) {', '.join(f'{a}-{b}' for a, b in cover)}",
                      UnalignedSpanWarning, stacklevel=2)
        for u in cover:
            overlap = min(u[1], s["end"]) - max(u[0], s["start"])
            if u not in claimed or overlap > claimed[u][0]:
                claimed[u] = (overlap, s)
    for (a, b), (_, s) in sorted(claimed.items()):
        if any(k["start"] < b and a < k["end"] for k in kept):
            warnings.warn(f"{doc.source}: document {doc.id!r} (offset {a}): unit {a}-{b} overlaps "
                          "a span that sits on a unit; the aligned span is dropped there",
                          UnalignedSpanWarning, stacklevel=2)
            continue
        kept.append({"start": a, "end": b, "stage": s["stage"], "methods": list(s["methods"])})
    kept.sort(key=lambda s: s["start"])
    return Annotated(id=doc.id, text=doc.text, spans=kept, meta=doc.meta, source=doc.source)


# -- detection ----------------------------------------------------------------------------------

def _open(path: Path):
    """Text stream over a file, gunzipped when its name ends in .gz."""
    if path.name.endswith(".gz"):
        import gzip
        return gzip.open(path, "rt", encoding="utf-8-sig")
    return path.open(encoding="utf-8-sig")


def _by_extension(path: Path) -> str:
    name = path.name.lower().removesuffix(".gz")
    return "labelstudio" if name.endswith(".json") else "codebook"


def detect_format(path: str | Path) -> str:
    """The annotation format of a file, from its content (the extension breaks ties).

    Returns one of ``FORMATS``, or ``"standoff"`` for our text-free ``{"id", "sha1", "spans"}``
    files.
    """
    path = Path(path)
    with _open(path) as f:
        head = f.read(1 << 16)
    stripped = head.lstrip()
    if stripped.startswith("["):
        return "labelstudio"
    if not stripped:
        return _by_extension(path)
    for where, obj, error in _head_records(path, 50):
        if error or not isinstance(obj, dict):
            continue
        kind = _sniff(obj)
        if kind:
            return kind
    # only unlabelled records ({"id", "text"}): any reader takes them; the extension decides
    return _by_extension(path)


def _head_records(path: Path, n: int):
    for k, item in enumerate(_json_lines(path)):
        if k >= n:
            return
        yield item


def _sniff(obj: dict) -> str | None:
    if isinstance(obj.get("data"), dict) and ("annotations" in obj or "predictions" in obj):
        return "labelstudio"
    if "sha1" in obj and "text" not in obj:
        return "standoff"
    if "entities" in obj or isinstance(obj.get("label"), list) or isinstance(obj.get("labels"), list):
        return "doccano"
    if any(k in obj for k in ("accept", "answer", "_input_hash", "_task_hash", "options")):
        return "prodigy"
    spans = obj.get("spans")
    if isinstance(spans, list) and spans and isinstance(spans[0], dict):
        if "stage" in spans[0]:
            return "codebook"
        if "label" in spans[0]:
            return "prodigy"
    if isinstance(obj.get("data"), dict):
        return "labelstudio"
    return None


# -- readers ------------------------------------------------------------------------------------

def read_documents(paths: Iterable[str | Path], fmt: str | None = None,
                   stages: Iterable[str] | None = None, methods: Iterable[str] | None = None,
                   corpus: Sequence[str | Path] | None = None, align: bool = True) -> list[Annotated]:
    """Read annotation files in any of ``FORMATS`` (detected per file unless ``fmt`` is given).

    ``stages``/``methods``: the allowed labels; None accepts any label (a user's own set), and
    bare labels in span formats are then sorted into stages and methods by the codebook's sets.
    ``corpus``: JSONL texts that standoff files (``{"id", "sha1", "spans"}``) are joined to.
    Document ids must be unique across all files. Spans off sentence boundaries are aligned
    (``align``) with an :class:`UnalignedSpanWarning`.
    """
    stages = list(stages) if stages is not None else None
    methods = list(methods) if methods is not None else None
    docs: list[Annotated] = []
    seen: dict[str, str] = {}
    kinds: list[tuple[Path, str]] = []
    for p in paths:
        path = Path(p)
        if not path.is_file():
            raise AnnotationError(f"{path}: no such file")
        kinds.append((path, fmt or detect_format(path)))
    # all standoff files are joined in one pass over the corpus (it may be large)
    standoff = [path for path, kind in kinds if kind == "standoff"]
    if standoff and not corpus:
        raise AnnotationError(f"{standoff[0]} holds standoff annotations (no text): give the "
                              "corpus they index (--corpus)")
    joined: dict[str, list[Annotated]] = {}
    if standoff:
        for doc in read_standoff(standoff, corpus, stages, methods):
            joined.setdefault(doc.source.rsplit(":", 1)[0], []).append(doc)
    for path, kind in kinds:
        if kind == "standoff":
            batch = joined.get(str(path), [])
        elif kind in _READERS:
            batch = list(_READERS[kind](path, stages, methods))
        else:
            raise AnnotationError(f"{path}: unknown format {kind!r}; known: {', '.join(FORMATS)}")
        for doc in batch:
            if doc.id in seen:
                raise AnnotationError(f"{doc.source}: duplicate document id {doc.id!r} "
                                      f"(first at {seen[doc.id]})")
            seen[doc.id] = doc.source
            docs.append(align_to_units(doc) if align else doc)
    return docs


def _records(path: Path) -> Iterator[tuple[str, object]]:
    """``(place, object)`` of a JSON list (place: ``file: task i``) or of JSON lines."""
    with _open(path) as f:
        head = f.read(256).lstrip()
    if head.startswith("["):
        try:
            with _open(path) as f:
                items = json.load(f)
        except json.JSONDecodeError as e:
            raise AnnotationError(f"{path}:{e.lineno}: not valid JSON ({e.msg} at column {e.colno})") from None
        for i, obj in enumerate(items):
            yield f"{path}: task {i}", obj
        return
    for where, obj, error in _json_lines(path):
        if error:
            raise AnnotationError(error)
        yield where, obj


def _object(where: str, obj) -> dict:
    if not isinstance(obj, dict):
        raise AnnotationError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    return obj


def read_codebook(path, stages=None, methods=None) -> Iterator[Annotated]:
    for where, obj in _records(Path(path)):
        doc = _validate(_object(where, obj), where, _set(stages), _set(methods))
        doc.source = where
        yield doc


def read_labelstudio(path, stages=None, methods=None) -> Iterator[Annotated]:
    for where, task in _records(Path(path)):
        task = _object(where, task)
        data = task.get("data")
        if not isinstance(data, dict):
            raise AnnotationError(f"{where}: a Label Studio task needs a 'data' object")
        text = data.get("text")
        doc_id = data.get("doc_id", data.get("id", task.get("id", where)))
        meta = data.get("meta") if isinstance(data.get("meta"), dict) else {
            k: v for k, v in data.items() if k not in ("text", "doc_id", "id")}
        doc = _Doc(where, str(doc_id), text, meta)
        for result in _ls_results(task):
            _ls_add(doc, result, stages, methods)
        yield doc.finish(stages, methods)


def _ls_results(task: dict) -> list:
    annotations = [a for a in task.get("annotations") or task.get("completions") or []
                   if isinstance(a, dict) and not a.get("was_cancelled")]
    if annotations:
        return annotations[-1].get("result") or []
    predictions = [p for p in task.get("predictions") or [] if isinstance(p, dict)]
    if predictions:
        best = max(predictions, key=lambda p: p.get("score") or 0.0)
        return best.get("result") or []
    return []


def _ls_add(doc: _Doc, result, stages, methods) -> None:
    if not isinstance(result, dict):
        raise AnnotationError(f"{doc.where}: document {doc.id!r}: a result is not an object")
    value = result.get("value") or {}
    name = result.get("from_name")
    kind = "stage" if name == LS_STAGE else "method" if name in (LS_METHODS, "method") else None
    if result.get("type") == "labels":
        start, end = _ls_offsets(doc, value)
        labels = value.get("labels") or []
    elif result.get("type") == "choices":
        start, end = doc.whole_text()
        labels = value.get("choices") or []
    else:  # relations, text areas, ratings: not ours
        return
    for label in labels:
        doc.add_label(start, end, label, stages, methods, kind)


def _ls_offsets(doc: _Doc, value: dict) -> tuple[int, int]:
    start, end, quoted = value.get("start"), value.get("end"), value.get("text")
    text = doc.text if isinstance(doc.text, str) else ""
    if not isinstance(quoted, str) or not isinstance(start, int) or not isinstance(end, int):
        return start, end
    if text[start:end] == quoted:
        return start, end
    # offsets in UTF-16 code units (JavaScript string indices)
    a, b = _utf16_to_index(text, start), _utf16_to_index(text, end)
    if a is not None and b is not None and text[a:b] == quoted:
        return a, b
    raise AnnotationError(f"{doc._at(start)}: region {start}-{end} says its text is {quoted[:20]!r} "
                          f"but the task text there is {text[start:end][:20]!r}")


def _utf16_to_index(text: str, units: int) -> int | None:
    count = 0
    for i, ch in enumerate(text):
        if count == units:
            return i
        count += 2 if ord(ch) > 0xFFFF else 1
    return len(text) if count == units else None


def read_doccano(path, stages=None, methods=None) -> Iterator[Annotated]:
    for where, obj in _records(Path(path)):
        obj = _object(where, obj)
        doc_id = obj.get("doc_id", obj.get("id", where))
        meta = obj["meta"] if isinstance(obj.get("meta"), dict) else {
            k: v for k, v in obj.items()
            if k not in ("id", "doc_id", "text", "label", "labels", "entities", "relations", "Comments")}
        doc = _Doc(where, str(doc_id), obj.get("text"), meta)
        labels = obj.get("label", obj.get("labels", []))
        if not isinstance(labels, list):
            raise AnnotationError(f"{where}: document {doc.id!r}: 'label' must be a list")
        for item in labels:
            if isinstance(item, str):  # text classification: the whole text is one sentence
                doc.add_label(*doc.whole_text(), item, stages, methods)
            elif isinstance(item, (list, tuple)) and len(item) == 3:
                doc.add_label(item[0], item[1], item[2], stages, methods)
            else:
                raise AnnotationError(f"{where}: document {doc.id!r}: label {item!r} is neither "
                                      "[start, end, label] nor a label string")
        for ent in obj.get("entities") or []:
            if not isinstance(ent, dict):
                raise AnnotationError(f"{where}: document {doc.id!r}: entity {ent!r} is not an object")
            doc.add_label(ent.get("start_offset"), ent.get("end_offset"), ent.get("label"),
                          stages, methods)
        yield doc.finish(stages, methods)


def read_prodigy(path, stages=None, methods=None) -> Iterator[Annotated]:
    for where, obj in _records(Path(path)):
        obj = _object(where, obj)
        if obj.get("answer") in ("reject", "ignore"):
            continue
        meta = dict(obj.get("meta") or {})
        doc_id = meta.pop("doc_id", obj.get("doc_id", obj.get("id", where)))
        doc = _Doc(where, str(doc_id), obj.get("text"), meta)
        for span in obj.get("spans") or []:
            if not isinstance(span, dict):
                raise AnnotationError(f"{where}: document {doc.id!r}: span {span!r} is not an object")
            doc.add_label(span.get("start"), span.get("end"), span.get("label"), stages, methods)
        if "accept" in obj:
            options = {o.get("id"): o.get("text") for o in obj.get("options") or [] if isinstance(o, dict)}
            for choice in obj["accept"] or []:
                label = choice if isinstance(choice, str) else options.get(choice, choice)
                doc.add_label(*doc.whole_text(), label, stages, methods)
        yield doc.finish(stages, methods)


_READERS = {"codebook": read_codebook, "labelstudio": read_labelstudio, "doccano": read_doccano,
            "prodigy": read_prodigy}


# -- writers ------------------------------------------------------------------------------------

def write_documents(docs: Iterable[Annotated], path: str | Path, fmt: str, *,
                    predictions: bool = False, model_version: str = "campaignnlp") -> int:
    """Write documents in ``fmt``; returns the number written.

    ``predictions``: the spans are model output (pre-annotated tasks for correction): Label
    Studio gets them as ``predictions`` with scores, Prodigy as tasks without an answer. Scores
    come from the spans' optional ``stage_scores`` / ``method_scores`` dicts; the codebook
    format keeps those dicts on the spans, doccano has no place for them. A span may carry a
    ``prediction`` (``{"stage", "methods", "stage_scores"}``): Label Studio then gets the gold
    as the annotation and that as the prediction, side by side.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    items = [_WRITERS[fmt](d, predictions, model_version) for d in docs]
    with path.open("w", encoding="utf-8") as f:
        if fmt == "labelstudio":
            json.dump(items, f, ensure_ascii=False, indent=1)
            f.write("\n")
        else:
            for item in items:
                f.write(json.dumps(item, ensure_ascii=False) + "\n")
    return len(items)


def _codebook_item(d: Annotated, predictions: bool, model_version: str) -> dict:
    spans = []
    for s in d.spans:
        span = {"start": s["start"], "end": s["end"], "stage": s["stage"], "methods": list(s["methods"])}
        for key in ("stage_scores", "method_scores"):
            if key in s:
                span[key] = s[key]
        spans.append(span)
    item = {"id": d.id, "text": d.text, "spans": spans}
    if d.meta:
        item["meta"] = d.meta
    return item


def _ls_regions(d: Annotated, spans: list[dict], scored: bool) -> list[dict]:
    results = []
    for k, s in enumerate(spans):
        region = f"r{k}-{s['start']}"  # one region id: the stage and methods results are one region
        base = {"id": region, "to_name": "text", "type": "labels"}
        value = {"start": s["start"], "end": s["end"], "text": d.text[s["start"]:s["end"]]}
        stage = {**base, "from_name": LS_STAGE, "value": {**value, "labels": [s["stage"]]}}
        if scored and "stage_scores" in s:
            stage["score"] = round(float(s["stage_scores"].get(s["stage"], 0.0)), 4)
        results.append(stage)
        if s["methods"]:
            methods = {**base, "from_name": LS_METHODS, "value": {**value, "labels": list(s["methods"])}}
            if scored and "method_scores" in s:
                ps = [float(s["method_scores"].get(m, 0.0)) for m in s["methods"]]
                methods["score"] = round(sum(ps) / len(ps), 4)
            results.append(methods)
    return results


def _labelstudio_item(d: Annotated, predictions: bool, model_version: str) -> dict:
    data = {"text": d.text, "doc_id": d.id}
    if d.meta:
        data["meta"] = d.meta
    task: dict = {"data": data}
    reviewed = [s.get("prediction") for s in d.spans]
    if predictions:
        results = _ls_regions(d, d.spans, scored=True)
        scores = [r["score"] for r in results if r["from_name"] == LS_STAGE and "score" in r]
        task["predictions"] = [{"model_version": model_version, "result": results,
                                "score": round(min(scores), 4) if scores else None}]
    else:
        task["annotations"] = [{"result": _ls_regions(d, d.spans, scored=False)}]
        if any(reviewed):
            model_spans = [{"start": s["start"], "end": s["end"], "stage": p["stage"],
                            "methods": p["methods"], "stage_scores": p.get("stage_scores", {})}
                           for s, p in zip(d.spans, reviewed) if p]
            task["predictions"] = [{"model_version": model_version,
                                    "result": _ls_regions(d, model_spans, scored=True)}]
    return task


def _span_labels(s: dict, scored: bool) -> list[tuple[str, float | None]]:
    out = [(encode_label("stage", s["stage"]),
            s.get("stage_scores", {}).get(s["stage"]) if scored else None)]
    for m in s["methods"]:
        out.append((encode_label("method", m), s.get("method_scores", {}).get(m) if scored else None))
    return out


def _doccano_item(d: Annotated, predictions: bool, model_version: str) -> dict:
    labels = [[s["start"], s["end"], lab] for s in d.spans for lab, _ in _span_labels(s, False)]
    item = {"doc_id": d.id, "text": d.text, "label": labels}
    if d.meta:
        item["meta"] = d.meta
    return item


def _prodigy_item(d: Annotated, predictions: bool, model_version: str) -> dict:
    spans = []
    for s in d.spans:
        for lab, score in _span_labels(s, predictions):
            span = {"start": s["start"], "end": s["end"], "label": lab}
            if score is not None:
                span["score"] = round(float(score), 4)
            spans.append(span)
    item = {"text": d.text, "spans": spans, "meta": {"doc_id": d.id, **d.meta}}
    if not predictions:
        item["answer"] = "accept"
    return item


_WRITERS = {"codebook": _codebook_item, "labelstudio": _labelstudio_item, "doccano": _doccano_item,
            "prodigy": _prodigy_item}


def labelstudio_config(stages: Sequence[str] = tuple(STAGES),
                       methods: Sequence[str] = tuple(METHODS)) -> str:
    """A Label Studio labelling config matching what :func:`read_labelstudio` expects: one
    ``stage`` choice and any ``methods`` on each selected sentence."""
    from xml.sax.saxutils import quoteattr

    def block(name, labels, choice):
        rows = "\n".join(f"    <Label value={quoteattr(lab)}/>" for lab in labels)
        return f'  <Labels name="{name}" toName="text" choice="{choice}">\n{rows}\n  </Labels>'

    return ("<View>\n" + block(LS_STAGE, stages, "single") + "\n"
            + block(LS_METHODS, methods, "multiple") + '\n  <Text name="text" value="$text"/>\n</View>\n')


def convert(src: str | Path, dst: str | Path, to: str, from_: str | None = None,
            corpus: Sequence[str | Path] | None = None) -> int:
    """Read ``src`` (format detected unless ``from_``), validate, write ``dst`` in ``to``."""
    docs = read_documents([src], fmt=from_, corpus=corpus)
    return write_documents(docs, dst, to)
