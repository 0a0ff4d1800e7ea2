"""Choose hard negatives: news items that name no campaign but talk like campaign reports.

The model's largest error is a 其他 sentence tagged 学习教育 or 整改落实 (CV confusion
matrix): its cues (学习, 整改, 调研, 问题, 群众) also fill the news that no campaign frames. The
codebook labels those sentences by framing and activity (rules 2 and 8), so they must be
annotated, not assumed 其他. This picks, from ``xwlb_all.jsonl.gz``, items

- not in the campaign corpus, the gold set or ``work/extra_ids.txt``, naming no campaign
  (select_extra.CAMPAIGN_NAME, nor a campaign news-series tag), 300 to 2,500 characters;
- with at least ``--min-cues`` distinct stage or method cues (campaignnlp.context), a cheap
  filter; of those, a seeded sample of ``--pool`` is tagged with the model, and the ``-n``
  items with the most sentences it gives a stage (any but 其他) are kept: where it is most
  tempted, right or wrong, at most ``--per-title`` items per title (the recurring
  programmes, 国务院常务会议 and 联播快讯, would otherwise fill it);

and writes their ids, by date, to ``work/negative_ids.txt`` (title + text, as for the extra
documents).

    python training/annotations/select_negatives.py -n 300 --model MODEL_0.2.0

``work/negative_ids.txt`` was made with model 0.2.0, the model the negatives correct (commit
1e8f075's ``models/campaignnlp_zh``: ``git worktree add /tmp/m020 1e8f075``); the command
above with it writes the same ids.
"""
from __future__ import annotations

import argparse
import hashlib
import random
import re
from pathlib import Path

from select_extra import CAMPAIGN_NAME, MIN_CHARS, SERIES, known_documents
from units import SHARED, read_corpus, read_ids

MAX_CHARS = 2500  # a long item costs the annotators most and adds mostly one framing
HERE = Path(__file__).parent
OUT = HERE / "work" / "negative_ids.txt"


def candidates(shared: Path = SHARED, min_cues: int = 4) -> list[dict]:
    from campaignnlp.context import METHOD_CUES, STAGE_NAMES
    cues = sorted({c for group in (*STAGE_NAMES.values(), *METHOD_CUES.values()) for c in group})
    known_ids, known_hashes = known_documents(shared)
    known_ids |= set(read_ids(HERE / "work" / "extra_ids.txt"))
    out = []
    for d in read_corpus(shared / "corpus" / "xwlb_all.jsonl.gz"):
        text, title = d["text"], d.get("title", "")
        if d["id"] in known_ids or not MIN_CHARS <= len(text) <= MAX_CHARS:
            continue
        if CAMPAIGN_NAME.search(title + text) or SERIES.search(title):
            continue
        if hashlib.sha1(text.encode("utf-8")).hexdigest() in known_hashes:
            continue
        if sum(c in text for c in cues) >= min_cues:
            out.append(d)
    return out


def rank(docs: list[dict], model: str) -> list[tuple[int, dict]]:
    import campaignnlp
    nlp = campaignnlp.load(model)
    texts = [d["title"] + "\n" + d["text"] for d in docs]
    scored = []
    for d, doc in zip(docs, nlp.pipe(texts, batch_size=64)):
        scored.append((sum(s._.stage != "其他" for s in doc._.campaign_sentences), d))
    scored.sort(key=lambda x: (-x[0], x[1].get("date", ""), x[1]["id"]))
    return scored


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=300)
    ap.add_argument("--pool", type=int, default=3000)
    ap.add_argument("--min-cues", type=int, default=4)
    ap.add_argument("--model", default=None, help="pipeline directory; default: the shipped model")
    ap.add_argument("--per-title", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    docs = candidates(min_cues=args.min_cues)
    pool = random.Random(args.seed).sample(docs, min(args.pool, len(docs)))
    picked, per_title = [], {}
    for score, d in rank(pool, args.model):
        title = re.sub(r"^\[视频\]", "", d.get("title", ""))
        if per_title.get(title, 0) < args.per_title and len(picked) < args.n:
            per_title[title] = per_title.get(title, 0) + 1
            picked.append((score, d))
    picked_docs = sorted((d for _, d in picked), key=lambda d: (d.get("date", ""), d["id"]))
    OUT.write_text("".join(d["id"] + "\n" for d in picked_docs), encoding="utf-8")
    print(f"{len(docs)} candidates, {len(pool)} tagged, {len(picked_docs)} kept "
          f"(stage sentences per item {picked[-1][0]}..{picked[0][0]}) -> {OUT}")


if __name__ == "__main__":
    main()
