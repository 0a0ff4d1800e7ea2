"""Word-level precision/recall/F1 of segmentations (SIGHAN scoring: words as character spans)."""
from __future__ import annotations

from typing import Iterable, List, Sequence, Tuple


def _spans(words: Sequence[str]) -> set:
    spans, start = set(), 0
    for w in words:
        spans.add((start, start + len(w)))
        start += len(w)
    return spans


def word_prf(gold: Iterable[Sequence[str]], pred: Iterable[Sequence[str]]) -> dict:
    """Micro-averaged word P/R/F1. Each gold/pred pair must cover the same characters
    (whitespace removed)."""
    n_gold = n_pred = n_ok = 0
    for g, p in zip(gold, pred):
        g = [w for w in g if w.strip()]
        p = [w for w in p if w.strip()]
        if "".join(g) != "".join(p):
            raise ValueError(f"segmentations differ in text: {''.join(g)[:40]!r} vs {''.join(p)[:40]!r}")
        gs, ps = _spans(g), _spans(p)
        n_gold += len(gs)
        n_pred += len(ps)
        n_ok += len(gs & ps)
    prec = n_ok / n_pred if n_pred else 0.0
    rec = n_ok / n_gold if n_gold else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"precision": prec, "recall": rec, "f1": f1, "n_gold": n_gold, "n_pred": n_pred}


def read_gold(path) -> Tuple[List[List[str]], List[str]]:
    """SIGHAN gold file -> (word lists, raw texts without spaces)."""
    gold, raw = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            words = line.split()
            if words:
                gold.append(words)
                raw.append("".join(words))
    return gold, raw
