"""Reading the shared corpora and writing segmentation training files.

The held-out split of the campaign corpus is a pure function of the document id, so the
build (which must not train on held-out documents) and the benchmark (which measures on
them) agree without sharing any state.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import re
from pathlib import Path
from typing import Iterable, Iterator, List

HELDOUT_MOD = 5  # one campaign document in five is held out


def is_heldout(doc_id: str) -> bool:
    """True for documents reserved for measuring (never used as silver training data)."""
    digest = hashlib.md5(doc_id.encode("utf-8")).hexdigest()
    return int(digest, 16) % HELDOUT_MOD == 0


def read_jsonl(path: Path) -> Iterator[dict]:
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


_SENT_END = re.compile(r"(?<=[。！？!?；;])(?![”’」』）)\]])")


def sentences(text: str, max_len: int = 200) -> Iterator[str]:
    """Split text into lines and sentences (training sequences); whitespace trimmed."""
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        for sent in _SENT_END.split(line):
            sent = sent.strip()
            while len(sent) > max_len:  # very long sentences: cut at a comma if possible
                cut = max(sent.rfind("，", 0, max_len), sent.rfind(",", 0, max_len))
                cut = cut + 1 if cut > 20 else max_len
                yield sent[:cut]
                sent = sent[cut:].strip()
            if sent:
                yield sent


def campaign_docs(shared: Path, heldout: bool) -> List[dict]:
    path = shared / "data" / "corpus" / "xwlb_campaign.jsonl"
    return [d for d in read_jsonl(path) if is_heldout(d["id"]) == heldout]


def news_sample(shared: Path, n_chars: int, exclude_ids: set) -> List[dict]:
    """A diverse slice of all news of about n_chars: every k-th item across 2012-2026,
    k chosen so that the slice spans the whole file."""
    path = shared / "data" / "corpus" / "xwlb_all.jsonl.gz"
    n_docs = total_chars = 0
    for d in read_jsonl(path):
        n_docs += 1
        total_chars += len(d["text"])
    stride = max(1, int(total_chars / max(n_chars, 1)))
    docs, total = [], 0
    for i, d in enumerate(read_jsonl(path)):
        if i % stride or d["id"] in exclude_ids:
            continue
        docs.append(d)
        total += len(d["text"])
        if total >= n_chars:
            break
    return docs


# ---------------------------------------------------------------------------
# numbers: keep approximate numbers (140多, 300余) in one token
_NUM_CHARS = set("0123456789.０１２３４５６７８９．" "零〇○一二三四五六七八九十百千万亿两")
_NOT_APPROX = {"多数", "多样", "多元", "多么", "多少", "多彩", "余额", "余地", "余下", "余生", "余热"}


def _is_number(tok: str) -> bool:
    return bool(tok) and tok[0] in "0123456789０１２３４５６７８９" and all(c in _NUM_CHARS for c in tok)


_DIGITS = set("0123456789０１２３４５６７８９")


def _is_date_part(num: str, unit: str) -> bool:
    """4-digit year + 年, month + 月, day + 日: dates, which the teacher keeps whole and SXU
    splits (durations such as 3 年 stay split, as in the PKU standard)."""
    if not all(c in _DIGITS for c in num):
        return False
    if unit == "年":
        return len(num) == 4
    return unit in ("月", "日") and len(num) <= 2


def join_approx_numbers(words: List[str]) -> List[str]:
    """['140', '多次'] -> ['140多', '次']; ['300', '余'] -> ['300余']; ['2013', '年'] -> ['2013年'].

    Both the teacher and the SIGHAN/SXU standards split 140|多, and SXU splits dates; we want
    approximate numbers and dates in one token so that numbers with units are not shattered.
    """
    out: List[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        if i + 1 < len(words) and _is_number(w):
            nxt = words[i + 1]
            if _is_date_part(w, nxt):
                out.append(w + nxt)
                i += 2
                continue
            if nxt in ("多", "余"):
                out.append(w + nxt)
                i += 2
                continue
            if len(nxt) >= 2 and nxt[0] in "多余" and nxt not in _NOT_APPROX and nxt[:2] not in _NOT_APPROX:
                out.append(w + nxt[0])
                out.append(nxt[1:])
                i += 2
                continue
        out.append(w)
        i += 1
    return out


def write_segmented(lines: Iterable[List[str]], path: Path) -> int:
    """Write space-separated segmentations; returns the number of characters written."""
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        for words in lines:
            words = [w for w in words if w.strip()]
            if words:
                f.write(" ".join(words) + "\n")
                n += sum(len(w) for w in words)
    return n


def read_segmented(path: Path) -> Iterator[List[str]]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            words = line.split()
            if words:
                yield words
