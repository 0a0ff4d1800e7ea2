"""Span and Doc extensions written by the tagger (registered once, at import), and the text
our tokenizer keeps on each Doc."""
from __future__ import annotations

from spacy.tokens import Doc, Span

SPANS_KEY = "campaign"

TEXT_KEY = ("campaignnlp", "text")  # doc.user_data key: the text the tokenizer got
VIEW_KEY = ("campaignnlp", "view")  # its normalised view (campaignnlp.normalize)
UNITS_KEY = ("campaignnlp", "units")  # (max_length, starts of its sentence units)


def doc_text(doc: Doc) -> str:
    """``doc.text``, as the tokenizer received it when it made the Doc. ``Doc.text`` joins the
    tokens' texts anew at each call, which costs more per document than the tagger's own work
    on a sentence; three steps of the pipeline need the text."""
    # a Doc made elsewhere, or whose user_data was copied onto another Doc: the real thing
    return doc.user_data[TEXT_KEY] if _own(doc) else doc.text


def _own(doc: Doc) -> bool:
    """Whether the tokenizer's notes in ``doc.user_data`` describe this Doc."""
    text = doc.user_data.get(TEXT_KEY)
    return text is not None and len(doc) > 0 and len(text) == doc[-1].idx + len(doc[-1].text_with_ws)


def doc_view(doc: Doc) -> str:
    """The normalised view of :func:`doc_text` (:func:`campaignnlp.normalize.normalize`), as
    the tokenizer computed it when it could; else computed here."""
    view = doc.user_data.get(VIEW_KEY)
    if view is not None and _own(doc):
        return view
    from .normalize import normalize

    return normalize(doc_text(doc))


def doc_unit_starts(doc: Doc, max_length: int | None) -> list[int] | None:
    """Starts of the sentence units the tokenizer cut (list items split, at most
    ``max_length`` characters), if it cut them with that bound; else None."""
    units = doc.user_data.get(UNITS_KEY)
    if units is None or units[0] != max_length or not _own(doc):
        return None
    return units[1]


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
