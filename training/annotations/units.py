"""Print the codebook's sentence units of corpus documents, for annotators.

    python training/annotations/units.py --batch 3 --of 6 > units.txt

Units are split exactly as the codebook defines them (after 。！？!? plus closing quotes or
brackets, and at line breaks; whitespace trimmed), which is also how ../shared/data/gold is cut.
Documents already in the gold set are skipped.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
from pathlib import Path

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
_BREAK = re.compile(r"[。！？!?]+[”’\"'」』）)\]】》]*|\n")


def codebook_units(text: str) -> list[tuple[int, int]]:
    bounds, i = [], 0
    for m in _BREAK.finditer(text):
        bounds.append((i, m.end()))
        i = m.end()
    bounds.append((i, len(text)))
    out = []
    for s, e in bounds:
        seg = text[s:e]
        if seg.strip():
            out.append((s + len(seg) - len(seg.lstrip()), s + len(seg.rstrip())))
    return out


def pending_documents(shared: Path = SHARED) -> list[dict]:
    gold_ids, gold_hashes = set(), set()
    for f in sorted((shared / "gold").glob("*.jsonl")):
        for line in f.open(encoding="utf-8"):
            d = json.loads(line)
            gold_ids.add(d["id"])
            gold_hashes.add(hashlib.sha1(d["text"].encode("utf-8")).hexdigest())
    docs = []
    for line in (shared / "corpus" / "xwlb_campaign.jsonl").open(encoding="utf-8"):
        d = json.loads(line)
        h = hashlib.sha1(d["text"].encode("utf-8")).hexdigest()
        if d["id"] in gold_ids or h in gold_hashes:
            continue
        d["sha1"] = h
        docs.append(d)
    return docs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=0, help="0-based batch number")
    ap.add_argument("--of", type=int, default=1, help="number of batches")
    ap.add_argument("--ids", help="file with one document id per line (overrides batches)")
    args = ap.parse_args()
    docs = pending_documents()
    if args.ids:
        wanted = [l.strip() for l in open(args.ids) if l.strip()]
        by_id = {d["id"]: d for d in docs}
        docs = [by_id[i] for i in wanted]
    else:
        docs = docs[args.batch :: args.of]
    for d in docs:
        print(f"=== DOC {d['id']} | {d['date']} | {d['title']} | campaigns: {', '.join(d['campaigns'])}")
        for k, (s, e) in enumerate(codebook_units(d["text"])):
            print(f"{k}\t{d['text'][s:e]}")
        print()


if __name__ == "__main__":
    main()
