"""Choose the campaign reports of the full news corpus that the campaign corpus left out.

``xwlb_campaign.jsonl`` keeps items with a campaign name in the title or twice in the body.
Reports of a campaign also come as items of a campaign's news series (【到群众中去】,
【学思想 强党性 重实践 建新功】 …) or name it once in the title and once in the body. This picks,
from ``xwlb_all.jsonl.gz``, every item not already in the campaign corpus or the gold set, of
at least 300 characters, that either

- scores 2 or more campaign-name mentions (a mention in the title counts twice), or
- carries the tag of a campaign's news series in its title,

and writes their ids, by date, to ``work/extra_ids.txt``.

    python training/annotations/select_extra.py
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from units import SHARED, read_corpus

CAMPAIGN_NAME = re.compile(r"群众路线教育实践|教育实践活动|学习实践科学发展观|学习实践活动|先进性教育|三严三实|两学一做|"
                           r"不忘初心、?牢记使命|主题教育|党史学习教育|党纪学习教育|八项规定精神学习教育")
# Title tags of the news series that report a campaign (read off the campaign corpus's titles).
SERIES = re.compile(r"【[^】]*(?:到群众中去|学思想 强党性|主题教育|学党史 悟思想|两学一做|党纪学习教育|整改进行时|"
                    r"整改成绩单|三严三实)[^】]*】")
MIN_CHARS = 300
OUT = Path(__file__).parent / "work" / "extra_ids.txt"


def known_documents(shared: Path = SHARED) -> tuple[set[str], set[str]]:
    """Ids and text hashes of the campaign corpus and the gold set: items not to pick again."""
    known_ids, known_hashes = set(), set()
    paths = [shared / "corpus" / "xwlb_campaign.jsonl", *sorted((shared / "gold").glob("*.jsonl"))]
    for p in paths:
        for d in read_corpus(p):
            known_ids.add(d["id"])
            known_hashes.add(hashlib.sha1(d["text"].encode("utf-8")).hexdigest())
    return known_ids, known_hashes


def select(shared: Path = SHARED) -> list[dict]:
    known_ids, known_hashes = known_documents(shared)
    picked = []
    for d in read_corpus(shared / "corpus" / "xwlb_all.jsonl.gz"):
        text, title = d["text"], d.get("title", "")
        if d["id"] in known_ids or len(text) < MIN_CHARS:
            continue
        if hashlib.sha1(text.encode("utf-8")).hexdigest() in known_hashes:
            continue
        score = len(CAMPAIGN_NAME.findall(text)) + 2 * len(CAMPAIGN_NAME.findall(title))
        if score >= 2 or SERIES.search(title):
            picked.append(d)
    return sorted(picked, key=lambda d: (d.get("date", ""), d["id"]))


def main() -> None:
    docs = select()
    OUT.write_text("".join(d["id"] + "\n" for d in docs), encoding="utf-8")
    print(f"{len(docs)} documents, {sum(len(d['text']) for d in docs)} characters -> {OUT}")


if __name__ == "__main__":
    main()
