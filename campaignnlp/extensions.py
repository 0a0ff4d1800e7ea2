"""Span and Doc extensions written by the tagger. Registered once, at import."""
from __future__ import annotations

from spacy.tokens import Doc, Span

SPANS_KEY = "campaign"


def _sentences(doc: Doc):
    return list(doc.spans[SPANS_KEY]) if SPANS_KEY in doc.spans else []


def _stage_profile(doc: Doc) -> dict[str, float]:
    """Share of the document's characters in each stage."""
    spans = _sentences(doc)
    total = sum(len(s.text) for s in spans) or 1
    out: dict[str, float] = {}
    for s in spans:
        out[s.label_] = out.get(s.label_, 0.0) + len(s.text) / total
    return out


def register_extensions() -> None:
    for name, default in (("stage", None), ("stage_scores", None), ("methods", None),
                          ("method_scores", None)):
        if not Span.has_extension(name):
            Span.set_extension(name, default=default)
    if not Doc.has_extension("campaign_sentences"):
        Doc.set_extension("campaign_sentences", getter=_sentences)
    if not Doc.has_extension("stage_profile"):
        Doc.set_extension("stage_profile", getter=_stage_profile)


register_extensions()
