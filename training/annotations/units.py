"""Print the codebook's sentence units of corpus documents, for annotators.

    python training/annotations/units.py --batch 3 --of 6 > units.txt
    python training/annotations/units.py --corpus ../shared/data/corpus/xwlb_all.jsonl.gz \
        --fields title,text --ids training/annotations/work/extra_ids.txt --batch 0 --of 6

``--fields title,text`` makes each document's text its title, a line break, then its text: how
``xwlb_campaign.jsonl`` is made from ``xwlb_all.jsonl.gz`` (true of all 605 of its items), so
that a title is the first unit there too. Annotations of such documents record the fields.

Units are split exactly as the codebook defines them (after 。！？!? plus closing quotes or
brackets, and at line breaks; whitespace trimmed), which is also how ../shared/data/gold is cut.
Documents already in the gold set are skipped.
"""
from __future__ import annotations

import argparse
import gzip
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


def read_corpus(path: Path, fields: tuple[str, ...] = ("text",)):
    """The documents of a JSONL corpus, gzipped or not; ``text`` is ``fields`` joined by a
    line break."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            if tuple(fields) != ("text",):
                d["text"] = "\n".join(d[k] for k in fields)
            yield d


def pending_documents(shared: Path = SHARED, corpus: Path | None = None,
                      ids: list[str] | None = None, fields: tuple[str, ...] = ("text",)) -> list[dict]:
    """Documents of ``corpus`` (default: the campaign corpus) not in the gold set, each with
    the ``sha1`` of its text; ``ids`` keeps only those, in that order."""
    gold_ids, gold_hashes = set(), set()
    for f in sorted((shared / "gold").glob("*.jsonl")):
        for line in f.open(encoding="utf-8"):
            d = json.loads(line)
            gold_ids.add(d["id"])
            gold_hashes.add(hashlib.sha1(d["text"].encode("utf-8")).hexdigest())
    docs = []
    keep = set(ids) if ids is not None else None
    for d in read_corpus(corpus or shared / "corpus" / "xwlb_campaign.jsonl", fields):
        if keep is not None and d["id"] not in keep:
            continue
        h = hashlib.sha1(d["text"].encode("utf-8")).hexdigest()
        if d["id"] in gold_ids or h in gold_hashes:
            continue
        d["sha1"] = h
        docs.append(d)
    if ids is not None:
        by_id = {d["id"]: d for d in docs}
        missing = [i for i in ids if i not in by_id]
        if missing:
            raise SystemExit(f"{len(missing)} ids not in the corpus (or in the gold set): {missing[:5]}")
        docs = [by_id[i] for i in ids]
    return docs


def read_ids(path: str | Path) -> list[str]:
    return [line.strip() for line in open(path, encoding="utf-8") if line.strip() and not line.startswith("#")]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=0, help="0-based batch number")
    ap.add_argument("--of", type=int, default=1, help="number of batches")
    ap.add_argument("--corpus", type=Path, help="JSONL corpus (.gz too); default: the campaign corpus")
    ap.add_argument("--ids", help="file with one document id per line: only these, in this order")
    ap.add_argument("--fields", default="text", help="record fields that make the text, e.g. title,text")
    args = ap.parse_args()
    docs = pending_documents(corpus=args.corpus, ids=read_ids(args.ids) if args.ids else None,
                             fields=tuple(args.fields.split(",")))
    docs = docs[args.batch :: args.of]
    for d in docs:
        campaigns = ", ".join(d.get("campaigns", []))
        print(f"=== DOC {d['id']} | {d['date']} | {d['title']} | campaigns: {campaigns}")
        for k, (s, e) in enumerate(codebook_units(d["text"])):
            print(f"{k}\t{d['text'][s:e]}")
        print()


if __name__ == "__main__":
    main()
