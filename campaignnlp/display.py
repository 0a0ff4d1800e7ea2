"""Showing tagged documents: displacy's "span" style over ``doc.spans["campaign"]``.

    >>> campaignnlp.render("在查摆问题环节，县委召开专题民主生活会。")          # in Jupyter: shown
    >>> html = campaignnlp.render(doc, jupyter=False, methods=True)          # elsewhere: HTML
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .extensions import SPANS_KEY
from .labels import ENGLISH, STAGES

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

#: One colour per codebook stage, shared by the displacy view and the plots. 其他 is pale so
#: the three campaign stages stand out.
STAGE_COLORS: dict[str, str] = {
    "学习教育": "#7fb3d5",
    "查摆问题": "#f5b041",
    "整改落实": "#82c785",
    "其他": "#d5d8dc",
}
# For stages of a user's own label set.
_EXTRA_COLORS = ["#c39bd3", "#f1948a", "#76d7c4", "#f7dc6f", "#a9cce3", "#e59866", "#b2babb"]


def stage_colors(labels=None) -> dict[str, str]:
    """A colour for each stage label: the codebook's fixed ones, then a palette."""
    labels = list(STAGES) if labels is None else list(labels)
    out, k = {}, 0
    for lab in labels:
        if lab in STAGE_COLORS:
            out[lab] = STAGE_COLORS[lab]
        else:
            out[lab] = _EXTRA_COLORS[k % len(_EXTRA_COLORS)]
            k += 1
    return out


def span_label(stage: str, methods=(), *, with_methods: bool = False, english: bool = False) -> str:
    """The label shown over a sentence: its stage, optionally ``stage | method, method``."""
    name = (lambda x: ENGLISH.get(x, x)) if english else (lambda x: x)
    label = name(stage)
    if with_methods and methods:
        label += " | " + ", ".join(name(m) for m in methods)
    return label


def render(doc_or_text: "Doc | str", nlp: "Language | str | Path | None" = None, *,
           jupyter: bool | None = None, methods: bool = False, english: bool = False,
           colors: dict[str, str] | None = None, page: bool = False, title: str | None = None,
           spans_key: str = SPANS_KEY):
    """Show a document's sentences with their stages (displacy "span" style).

    ``doc_or_text``: a tagged Doc, or a text to tag with ``nlp`` (default: the shipped
    pipeline). ``methods=True`` adds each sentence's methods to its label; ``english=True``
    uses the English glosses of :data:`campaignnlp.labels.ENGLISH`. ``colors`` overrides the
    per-stage colours. ``jupyter``: None detects a notebook (display there, return None);
    False returns the HTML. The Doc is not modified.
    """
    from spacy import displacy

    doc = _as_doc(doc_or_text, nlp)
    if spans_key not in doc.spans:
        raise ValueError(f"the Doc has no doc.spans[{spans_key!r}]: tag it with a campaignnlp "
                         "pipeline first")
    palette = stage_colors(list(dict.fromkeys([*STAGES, *(s.label_ for s in doc.spans[spans_key])])))
    palette.update(colors or {})
    spans, label_colors = [], {}
    for s in doc.spans[spans_key]:
        stage = s._.stage or s.label_
        label = span_label(stage, s._.methods or (), with_methods=methods, english=english)
        label_colors[label] = palette.get(stage, _EXTRA_COLORS[0])
        spans.append({"start_token": s.start, "end_token": s.end, "label": label})
    # Manual mode: the labels shown (with methods, in English) are not the Doc's own labels.
    data = {"text": doc.text, "tokens": [t.text for t in doc], "spans": spans,
            "title": title, "settings": {"lang": "zh", "direction": "ltr"}}
    return displacy.render(data, style="span", manual=True, jupyter=jupyter, page=page,
                           options={"colors": label_colors})


def _as_doc(doc_or_text, nlp) -> "Doc":
    from spacy.tokens import Doc

    if isinstance(doc_or_text, Doc):
        return doc_or_text
    if not isinstance(doc_or_text, str):
        raise TypeError(f"expected a Doc or a string, got {type(doc_or_text).__name__}")
    if nlp is None or isinstance(nlp, (str, Path)):
        from . import _cached, default_model_path

        nlp = _cached(str(nlp or default_model_path()))
    return nlp(doc_or_text)
