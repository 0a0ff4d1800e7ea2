"""Campaign vocabulary: candidate extraction for the reviewed user dictionary.

`user_dict.txt` (next to this file) is the reviewed list and is what the build uses. This
module regenerates the evidence it was reviewed from: candidate terms ranked by frequency in
the campaign corpus, from quoted terms (“两学一做”), from frequent 4-10 character strings
around campaign morphemes, and from the codebook's cue lists, each with how the teacher
segments it. Candidates the teacher already keeps whole need no dictionary entry.
"""
from __future__ import annotations

import collections
import re
from pathlib import Path
from typing import Iterable, List

from corpus import campaign_docs

HERE = Path(__file__).resolve().parent
USER_DICT = HERE / "user_dict.txt"

_KEY_MORPHEMES = ("教育", "生活会", "检查", "整改", "学习", "问题", "民主", "作风", "初心",
                  "使命", "路线", "查摆", "检视", "建章立制", "调研", "评议", "专题", "督导")
_HAN = re.compile(r"[\u4e00-\u9fff]+")


_EDGE_CHARS = set("的在和与及把对将被从为中了是以等上下")


def read_user_dict(path: Path = USER_DICT) -> List[str]:
    with open(path, encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip() and not line.startswith("#")]


def candidates(shared: Path, min_freq: int = 8) -> collections.Counter:
    # training documents only: held-out documents stay unseen
    text = "\n".join(d["text"] for d in campaign_docs(shared, heldout=False))
    found = collections.Counter()
    for term in re.findall(r"“([\u4e00-\u9fff、]{2,14})”", text):
        found[term] += 1
    found = collections.Counter({t: c for t, c in found.items() if c >= 3})
    ngrams = collections.Counter()
    for run in _HAN.findall(text):
        for n in range(4, 12):
            for i in range(len(run) - n + 1):
                ngrams[run[i : i + n]] += 1
    # the most frequent one-character extension of each string
    best_ext = collections.Counter()
    for g, c in ngrams.items():
        if c >= min_freq and len(g) >= 5:
            for part in (g[1:], g[:-1]):
                best_ext[part] = max(best_ext[part], c)
    for g, c in ngrams.items():
        if (c >= min_freq and len(g) <= 10 and any(k in g for k in _KEY_MORPHEMES)
                and g[0] not in _EDGE_CHARS and g[-1] not in _EDGE_CHARS
                and best_ext[g] < 0.9 * c):  # closed strings only: no fragment of a longer string
            found[g] = max(found[g], c)
    codebook = (shared / "codebook.md").read_text(encoding="utf-8")
    for term in re.findall(r"[\u4e00-\u9fff]{3,10}", codebook):
        found[term] = max(found[term], text.count(term))
    return found


def write_candidates(shared: Path, segment, out: Path) -> int:
    """Write `term<TAB>corpus freq<TAB>teacher segmentation<TAB>in user_dict` for the terms
    the teacher splits, most frequent first."""
    reviewed = set(read_user_dict())
    rows = []
    for term, freq in candidates(shared).most_common():
        seg = segment(term)
        if len(seg) > 1 or term in reviewed:
            rows.append(f"{term}\t{freq}\t{'/'.join(seg)}\t{int(term in reviewed)}")
    out.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return len(rows)
