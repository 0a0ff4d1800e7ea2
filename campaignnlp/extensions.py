"""Span and Doc extensions written by the tagger (registered once, at import), and the text
our tokenizer keeps on each Doc."""
from __future__ import annotations

from spacy.tokens import Doc, Span

SPANS_KEY = "campaign"

TEXT_KEY = ("campaignnlp", "text")  # doc.user_data key: the text the tokenizer got


def doc_text(doc: Doc) -> str:
    """``doc.text``, as the tokenizer received it when it made the Doc. ``Doc.text`` joins the
    tokens' texts anew at each call, which costs more per document than the tagger's own work
    on a sentence; three steps of the pipeline need the text."""
    text = doc.user_data.get(TEXT_KEY)
    # a Doc made elsewhere, or whose user_data was copied onto another Doc: the real thing
    if text is None or not len(doc) or len(text) != doc[-1].idx + len(doc[-1].text_with_ws):
        return doc.text
    return text


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
