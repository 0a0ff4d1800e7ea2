"""The ``campaign_tagger`` pipeline component: stage and methods for every sentence.

It reads the sentences marked by ``campaign_senter`` (or any sentence boundaries), builds the
context records of :mod:`campaignnlp.context`, scores them with the two scikit-learn heads, and
writes:

* ``Span._.stage`` / ``Span._.stage_scores`` / ``Span._.methods`` / ``Span._.method_scores``
  on each sentence (any Span with the sentence's offsets sees them, ``doc.sents`` included);
* a SpanGroup ``doc.spans["campaign"]`` with one span per sentence, labelled by stage, which
  displacy's "span" style renders.

Sentences are the sentence spans with leading and trailing whitespace tokens removed.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import joblib
import numpy as np
from spacy.language import Language
from spacy.tokens import Doc, Span, SpanGroup

from . import extensions
from .context import sentence_contexts
from .heads import MethodsHead, StageHead
from .integrity import check_versions, sha256_file

HEAD_FILES = {"stage": "stage_head.joblib", "methods": "methods_head.joblib"}


def sentence_spans(doc: Doc) -> list[Span]:
    """The Doc's sentences without surrounding whitespace tokens; empty ones dropped."""
    out = []
    for sent in doc.sents:
        start, end = sent.start, sent.end
        while start < end and doc[start].is_space:
            start += 1
        while end > start and doc[end - 1].is_space:
            end -= 1
        if end > start:
            out.append(doc[start:end])
    return out


class CampaignTagger:
    """Stage and methods per sentence, from two scikit-learn heads.

    ``stage_head`` and ``methods_head`` are fitted :class:`~campaignnlp.heads.StageHead` and
    :class:`~campaignnlp.heads.MethodsHead` (or any estimators with the same contract). Until
    they are set (by :meth:`fit` or :meth:`from_disk`) calling the component is an error.
    """

    def __init__(self, nlp: Language, name: str = "campaign_tagger", *,
                 spans_key: str = extensions.SPANS_KEY, batch_size: int = 64):
        self.name = name
        self.spans_key = spans_key
        self.batch_size = batch_size
        self.stage_head: StageHead | None = None
        self.methods_head: MethodsHead | None = None
        self.meta: dict = {}

    # -- labels ---------------------------------------------------------------------------
    @property
    def stage_labels(self) -> list[str]:
        return [] if self.stage_head is None else [str(c) for c in self.stage_head.classes_]

    @property
    def method_labels(self) -> list[str]:
        return [] if self.methods_head is None else [str(c) for c in self.methods_head.classes_]

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(self.stage_labels + self.method_labels)

    # -- training ---------------------------------------------------------------------------
    def fit(self, records: Sequence[dict], stages: Sequence[str], methods: Sequence[Sequence[str]],
            stage_head: StageHead | None = None, methods_head: MethodsHead | None = None):
        """Fit the heads on sentence records (:func:`campaignnlp.context.sentence_contexts`)."""
        self.stage_head = (stage_head or StageHead()).fit(records, list(stages))
        self.methods_head = (methods_head or MethodsHead()).fit(records, [list(m) for m in methods])
        return self

    def initialize(self, get_examples=None, *, nlp: Language | None = None):
        """spaCy's training hook: fit on Examples whose reference Docs carry
        ``doc.spans[spans_key]`` labelled by stage and ``Span._.methods``."""
        if get_examples is None:
            return
        records, stages, methods = [], [], []
        for k, eg in enumerate(get_examples()):
            ref = eg.reference
            spans = list(ref.spans.get(self.spans_key, []))
            records.extend(sentence_contexts(ref.text, [(s.start_char, s.end_char) for s in spans],
                                             doc_id=str(k)))
            stages.extend(s.label_ for s in spans)
            methods.extend(s._.methods or [] for s in spans)
        self.fit(records, stages, methods)

    # -- prediction -------------------------------------------------------------------------
    def _require_heads(self):
        if self.stage_head is None or self.methods_head is None:
            raise ValueError(f"The component '{self.name}' has no trained heads: train it with "
                             "`campaignnlp train` or load a trained pipeline.")

    def predict(self, docs: Sequence[Doc]) -> tuple[list[list[Span]], np.ndarray, np.ndarray]:
        """Sentences of each doc, and their stage and method score matrices (stacked)."""
        self._require_heads()
        sents = [sentence_spans(doc) for doc in docs]
        records = []
        for k, (doc, ss) in enumerate(zip(docs, sents)):
            records.extend(sentence_contexts(doc.text, [(s.start_char, s.end_char) for s in ss],
                                             doc_id=str(k)))
        if not records:
            return sents, np.zeros((0, len(self.stage_labels))), np.zeros((0, len(self.method_labels)))
        return sents, self.stage_head.predict_proba(records), self.methods_head.predict_proba(records)

    def set_annotations(self, docs: Sequence[Doc], scores) -> None:
        sents, stage_p, method_p = scores
        stages = self.stage_labels
        methods = np.asarray(self.method_labels)
        thresholds = getattr(self.methods_head, "thresholds_", np.full(len(methods), 0.5))
        row = 0
        for doc, ss in zip(docs, sents):
            group = []
            for span in ss:
                sp, mp = stage_p[row], method_p[row]
                row += 1
                stage = stages[int(np.argmax(sp))]
                span._.stage = stage
                span._.stage_scores = {lab: round(float(p), 4) for lab, p in zip(stages, sp)}
                span._.methods = [str(m) for m in methods[mp >= thresholds]]
                span._.method_scores = {str(lab): round(float(p), 4) for lab, p in zip(methods, mp)}
                group.append(Span(doc, span.start, span.end, label=stage))
            doc.spans[self.spans_key] = SpanGroup(doc, name=self.spans_key, spans=group)

    def __call__(self, doc: Doc) -> Doc:
        self.set_annotations([doc], self.predict([doc]))
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int | None = None) -> Iterator[Doc]:
        batch: list[Doc] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= (batch_size or self.batch_size):
                self.set_annotations(batch, self.predict(batch))
                yield from batch
                batch = []
        if batch:
            self.set_annotations(batch, self.predict(batch))
            yield from batch

    # -- serialisation ----------------------------------------------------------------------
    def to_disk(self, path, *, exclude=tuple()):
        self._require_heads()
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        joblib.dump(self.stage_head, path / HEAD_FILES["stage"], compress=3)
        joblib.dump(self.methods_head, path / HEAD_FILES["methods"], compress=3)
        cfg = {"spans_key": self.spans_key, "stages": self.stage_labels, "methods": self.method_labels,
               "thresholds": [float(t) for t in self.methods_head.thresholds_],
               "versions": _versions(),
               "sha256": {name: sha256_file(path / name) for name in HEAD_FILES.values()},
               "meta": self.meta}
        (path / "cfg.json").write_text(json.dumps(cfg, ensure_ascii=False, indent=2), encoding="utf-8")

    def from_disk(self, path, *, exclude=tuple()):
        path = Path(path)
        cfg = json.loads((path / "cfg.json").read_text(encoding="utf-8"))
        # Unpickling runs code: check the files are the ones this component wrote first.
        for name, digest in cfg.get("sha256", {}).items():
            f = path / name
            if not f.exists():
                raise FileNotFoundError(f"{f}: missing from the pipeline; nothing was loaded")
            if sha256_file(f) != digest:
                raise ValueError(f"{f}: checksum mismatch (the file was changed or corrupted); "
                                 "refusing to unpickle it")
        check_versions(cfg.get("versions", {}), where=str(path))
        self.spans_key = cfg.get("spans_key", self.spans_key)
        self.meta = cfg.get("meta", {})
        self.stage_head = joblib.load(path / HEAD_FILES["stage"])
        self.methods_head = joblib.load(path / HEAD_FILES["methods"])
        return self


def _versions() -> dict[str, str]:
    import sklearn
    import spacy

    from . import __version__
    return {"scikit-learn": sklearn.__version__, "spacy": spacy.__version__,
            "campaignnlp": __version__, "numpy": np.__version__}


@Language.factory(
    "campaign_tagger",
    assigns=["doc.spans", "span._.stage", "span._.stage_scores", "span._.methods",
             "span._.method_scores"],
    requires=["token.is_sent_start"],
    default_config={"spans_key": extensions.SPANS_KEY, "batch_size": 64},
)
def make_campaign_tagger(nlp: Language, name: str, spans_key: str, batch_size: int):
    return CampaignTagger(nlp, name, spans_key=spans_key, batch_size=batch_size)
