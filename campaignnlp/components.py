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

import numpy as np
from spacy.attrs import IDX, IS_SPACE, LENGTH, SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span, SpanGroup

from . import extensions
from .extensions import doc_text, doc_view
from .context import sentence_contexts
from .integrity import check_versions, quiet_version_warnings, sha256_file

# scikit-learn, joblib and the heads are imported where they are used: spaCy imports this
# module to look up any factory, and other pipelines should not pay for scikit-learn.

HEAD_FILES = {"stage": "stage_head.joblib", "methods": "methods_head.joblib"}


def sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    """Token bounds of the Doc's sentences without surrounding whitespace tokens; empty
    sentences dropped. Works on the Doc's arrays: iterating Token objects costs more than
    the heads do."""
    if not len(doc):
        return []
    flags = doc.to_array([SENT_START, IS_SPACE])
    starts = np.flatnonzero(flags[:, 0] == 1)
    if not len(starts) or starts[0] != 0:
        starts = np.concatenate([[0], starts])
    ends = np.append(starts[1:], len(doc))
    solid = np.flatnonzero(flags[:, 1] == 0)  # indices of non-space tokens
    if not len(solid):
        return []
    # solid[a:b] are each sentence's non-space tokens
    a, b = np.searchsorted(solid, starts), np.searchsorted(solid, ends)
    keep = b > a
    first = solid[a[keep]]
    last = solid[b[keep] - 1] + 1
    return list(zip(first.tolist(), last.tolist()))


def sentence_spans(doc: Doc) -> list[Span]:
    """The Doc's sentences (see :func:`sentence_bounds`) as Spans."""
    return [doc[a:b] for a, b in sentence_bounds(doc)]


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
        self.stage_head = None  # a fitted campaignnlp.heads.StageHead
        self.methods_head = None  # a fitted campaignnlp.heads.MethodsHead
        self.meta: dict = {}
        # How records are built (see campaignnlp.context): saved in cfg.json so that heads are
        # always fed records like those they were trained on.
        self.mask_campaigns = True

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
            stage_head=None, methods_head=None):
        """Fit the heads on sentence records (:func:`campaignnlp.context.sentence_contexts`)."""
        from .heads import MethodsHead, StageHead

        self.stage_head = (stage_head or StageHead()).fit(records, list(stages))
        self.methods_head = (methods_head or MethodsHead()).fit(records, [list(m) for m in methods])
        self._share_features()
        return self

    def _share_features(self) -> None:
        """One n-gram table for every vectorizer of both heads (see ``Records``)."""
        from .features import ContextVectorizer, share_ngram_table

        found = []

        def collect(obj, depth=0):
            if isinstance(obj, ContextVectorizer):
                found.append(obj)
            elif depth < 3 and hasattr(obj, "steps"):  # a scikit-learn Pipeline
                for _, step in obj.steps:
                    collect(step, depth + 1)
            elif depth < 2 and hasattr(obj, "__dict__"):
                for value in vars(obj).values():
                    collect(value, depth + 1)

        collect(self.stage_head)
        collect(self.methods_head)
        share_ngram_table(found)

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
                                             doc_id=str(k), mask_campaigns=self.mask_campaigns))
            stages.extend(s.label_ for s in spans)
            methods.extend(s._.methods or [] for s in spans)
        self.fit(records, stages, methods)

    # -- prediction -------------------------------------------------------------------------
    def _require_heads(self):
        if self.stage_head is None or self.methods_head is None:
            raise ValueError(f"The component '{self.name}' has no trained heads: train it with "
                             "`campaignnlp train` or load a trained pipeline.")

    def predict(self, docs: Sequence[Doc]) -> tuple[list[list[tuple[int, int]]], np.ndarray, np.ndarray]:
        """Token bounds of each doc's sentences, and their stage and method score matrices
        (rows stacked over the docs)."""
        self._require_heads()
        bounds = [sentence_bounds(doc) for doc in docs]
        from .features import Records

        records = Records()  # the heads share the n-gram counts of this batch
        for k, (doc, bs) in enumerate(zip(docs, bounds)):
            if not bs:
                continue
            chars = doc.to_array([IDX, LENGTH]).astype(np.int64)
            tb = np.asarray(bs)
            ends = chars[tb[:, 1] - 1]
            spans = list(zip(chars[tb[:, 0], 0].tolist(), (ends[:, 0] + ends[:, 1]).tolist()))
            records.extend(sentence_contexts(doc_text(doc), spans, doc_id=str(k), view=doc_view(doc),
                                             mask_campaigns=self.mask_campaigns))
        if not records:
            return bounds, np.zeros((0, len(self.stage_labels))), np.zeros((0, len(self.method_labels)))
        return bounds, self.stage_head.predict_proba(records), self.methods_head.predict_proba(records)

    def set_annotations(self, docs: Sequence[Doc], scores) -> None:
        bounds, stage_p, method_p = scores
        stages = np.asarray(self.stage_labels)
        methods = np.asarray(self.method_labels)
        thresholds = getattr(self.methods_head, "thresholds_", np.full(len(methods), 0.5))
        best = np.argmax(stage_p, axis=1) if len(stage_p) else np.zeros(0, dtype=int)
        chosen = method_p >= thresholds
        # plain floats, rounded: these go to JSON and DataFrames
        stage_p, method_p = np.round(stage_p, 4).tolist(), np.round(method_p, 4).tolist()
        stage_names, method_names = stages.tolist(), methods.tolist()
        row = 0
        for doc, bs in zip(docs, bounds):
            group = []
            for a, b in bs:
                stage = stage_names[best[row]]
                span = Span(doc, a, b, label=stage)
                ext = span._  # one accessor for the four (each access builds one)
                ext.stage = stage
                ext.stage_scores = dict(zip(stage_names, stage_p[row]))
                ext.methods = methods[chosen[row]].tolist()
                ext.method_scores = dict(zip(method_names, method_p[row]))
                group.append(span)
                row += 1
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
        import joblib

        self._require_heads()
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        joblib.dump(self.stage_head, path / HEAD_FILES["stage"], compress=3)
        joblib.dump(self.methods_head, path / HEAD_FILES["methods"], compress=3)
        cfg = {"spans_key": self.spans_key, "stages": self.stage_labels, "methods": self.method_labels,
               "thresholds": [float(t) for t in self.methods_head.thresholds_],
               "context": {"mask_campaigns": self.mask_campaigns},
               "versions": _versions(),
               "sha256": {name: sha256_file(path / name) for name in HEAD_FILES.values()},
               "meta": self.meta}
        (path / "cfg.json").write_text(json.dumps(cfg, ensure_ascii=False, indent=2), encoding="utf-8")

    def from_disk(self, path, *, exclude=tuple()):
        import joblib

        path = Path(path)
        cfg = json.loads((path / "cfg.json").read_text(encoding="utf-8"))
        # Unpickling runs code: check the files are the ones this component wrote first.
        listed = cfg.get("sha256") or {}
        unlisted = [name for name in HEAD_FILES.values() if name not in listed]
        if unlisted:  # nothing to check them against: refuse rather than unpickle blind
            raise ValueError(f"{path / 'cfg.json'}: no sha256 for {', '.join(unlisted)}; "
                             "refusing to unpickle unchecked files")
        for name, digest in listed.items():
            f = path / name
            if not f.exists():
                raise FileNotFoundError(f"{f}: missing from the pipeline; nothing was loaded")
            if sha256_file(f) != digest:
                raise ValueError(f"{f}: checksum mismatch (the file was changed or corrupted); "
                                 "refusing to unpickle it")
        check_versions(cfg.get("versions", {}), where=str(path))
        self.spans_key = cfg.get("spans_key", self.spans_key)
        self.meta = cfg.get("meta", {})
        # pipelines saved before campaign names were masked have no "context": unmasked records
        self.mask_campaigns = bool(cfg.get("context", {}).get("mask_campaigns", False))
        with quiet_version_warnings():  # check_versions said it once; not once per estimator
            self.stage_head = joblib.load(path / HEAD_FILES["stage"])
            self.methods_head = joblib.load(path / HEAD_FILES["methods"])
        self._share_features()
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
