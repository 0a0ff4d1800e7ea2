"""Sentence units for campaign reports, and the spaCy component that marks them.

Units follow the codebook: a stretch of text ending in 。！？!? (with any closing quotes or
brackets) or at a line break; whitespace around a unit is not part of it. On top of that:

* list openers (一是 / 二是 / （一）/ 一、/ 1.) start a unit when they follow ；or ：, because
  reports pack enumerations into one paragraph and each item is its own activity;
* a unit longer than ``max_length`` characters is cut into bounded chunks (at a comma or space
  near the limit where there is one), so a 5 MB line without punctuation costs linear time.

Headings, bylines and web debris sit on lines of their own in real pages, so the line-break
rule makes them units of their own.
"""
from __future__ import annotations

import re
from typing import Iterator

import numpy as np
from spacy.attrs import IDX, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from .extensions import doc_text, doc_unit_starts

DEFAULT_MAX_LENGTH = 400

_TERMINAL = r"[。！？!?]+[”’\"'」』）)\]】》〉]*"
_LINEBREAK = r"\r\n|[\n\r\u2028\u2029\x0b\x0c\x1c\x1d\x1e\x85]"
_NUM = "一二三四五六七八九十"
_OPENER = (
    rf"(?:[{_NUM}]{{1,3}}是|其[{_NUM}]|（[{_NUM}]{{1,3}}）|\([{_NUM}]{{1,3}}\)|[{_NUM}]{{1,3}}、"
    r"|（\d{1,2}）|\(\d{1,2}\)|\d{1,2}[、.．](?!\d))"
)
_BREAK = re.compile(rf"{_TERMINAL}|{_LINEBREAK}")
_BREAK_LIST = re.compile(rf"{_TERMINAL}|{_LINEBREAK}|(?<=[；;：:])\s*(?={_OPENER})")
_SOFT_BREAK = re.compile(r"[，,；;：:、\s]")


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _bounded(text: str, start: int, end: int, max_length: int) -> Iterator[tuple[int, int]]:
    """Cut [start, end) into pieces of at most ``max_length`` characters."""
    while end - start > max_length:
        limit = start + max_length
        # prefer a soft break in the last quarter of the window
        cut = None
        for m in _SOFT_BREAK.finditer(text, start + max_length * 3 // 4, limit):
            cut = m.end()
        cut = cut or limit
        s, e = _trim(text, start, cut)
        if e > s:
            yield s, e
        start = cut
    s, e = _trim(text, start, end)
    if e > s:
        yield s, e


def split_sentences(
    text: str, *, list_items: bool = True, max_length: int | None = DEFAULT_MAX_LENGTH
) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of the sentence units of ``text``.

    Spans are in order, do not overlap, contain no leading or trailing whitespace, and together
    cover every non-space character of ``text``.
    """
    pattern = _BREAK_LIST if list_items else _BREAK
    spans: list[tuple[int, int]] = []
    start = 0
    for m in pattern.finditer(text):
        end = m.end()
        if end == start:
            continue
        spans.extend(_bounded(text, start, end, max_length or len(text) + 1))
        start = end
    spans.extend(_bounded(text, start, len(text), max_length or len(text) + 1))
    return spans


def codebook_units(text: str) -> list[tuple[int, int]]:
    """The codebook's units exactly (no list-item splits, no length bound): how gold is cut."""
    return split_sentences(text, list_items=False, max_length=None)


class CampaignSentencizer:
    """Marks ``token.is_sent_start`` from :func:`split_sentences` on the Doc's text.

    Whitespace between units belongs to the unit before it. Where a unit boundary falls inside
    a token (only with a foreign tokenizer), the sentence starts at the next token.
    """

    def __init__(self, nlp: Language, name: str = "campaign_senter", *, list_items: bool = True,
                 max_length: int = DEFAULT_MAX_LENGTH):
        self.name = name
        self.list_items = list_items
        self.max_length = max_length

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        # the tokenizer's units where it cut the same ones (it splits list items too)
        starts = doc_unit_starts(doc, self.max_length) if self.list_items else None
        if starts is None:
            starts = [s for s, _ in split_sentences(doc_text(doc), list_items=self.list_items,
                                                    max_length=self.max_length)]
        # Token i starts a sentence iff a unit starts in (start of token i-1, start of token i].
        idx = doc.to_array([IDX]).astype(np.int64)
        prev = np.concatenate([[-1], idx[:-1]])
        first_at_or_after = np.searchsorted(starts, prev, side="right")
        is_start = first_at_or_after < np.searchsorted(starts, idx, side="right")
        is_start[0] = True
        # SENT_START: 1 starts a sentence, -1 does not (set in one call: the per-token setter
        # costs more than the splitting itself)
        doc.from_array([SENT_START], np.where(is_start, 1, -1).astype(np.uint64).reshape(-1, 1))
        return doc

    def pipe(self, docs, batch_size: int = 128):
        for doc in docs:
            yield self(doc)


@Language.factory(
    "campaign_senter",
    assigns=["token.is_sent_start"],
    default_config={"list_items": True, "max_length": DEFAULT_MAX_LENGTH},
)
def make_campaign_senter(nlp: Language, name: str, list_items: bool, max_length: int):
    return CampaignSentencizer(nlp, name, list_items=list_items, max_length=max_length)
