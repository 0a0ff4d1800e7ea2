"""How often pipelines give a stage to news that names no campaign, side by side.

    python benchmarks/false_alarms.py MODEL [MODEL ...] [-n 1000] [--seed 1] [--shared DIR]

A seeded sample of ``-n`` items of ``<shared>/corpus/xwlb_all.jsonl.gz`` (title + text) that
name no campaign (``training/annotations/select_extra.py``'s pattern and news-series tags), of
at least 300 characters, and that are not among our annotated documents. Every pipeline tags
the same sample; the report is the share of sentences each gives a stage other than 其他,
per stage, and each pipeline's share as a ratio to the first's.

No gold labels: convention 5 (training/annotations/README.md) gives a stage to some such
sentences (宣讲 tours, inspection rectification), so the share is an upper bound on false
alarms, not their rate; the labelled figure is the cross-validation on the annotated negatives
(README, Accuracy). Writes ``benchmarks/results/false_alarms.json`` (``--out``).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "training" / "annotations"))
from select_extra import CAMPAIGN_NAME, SERIES  # noqa: E402
from units import read_corpus, read_ids  # noqa: E402


def sample(shared: Path, n: int, seed: int) -> list[dict]:
    work = REPO / "training" / "annotations" / "work"
    skip = set(read_ids(work / "negative_ids.txt")) | set(read_ids(work / "extra_ids.txt"))
    docs = [d for d in read_corpus(shared / "corpus" / "xwlb_all.jsonl.gz", ("title", "text"))
            if d["id"] not in skip and len(d["text"]) >= 300
            and not CAMPAIGN_NAME.search(d["text"]) and not SERIES.search(d["title"])]
    return random.Random(seed).sample(docs, min(n, len(docs)))


def stage_shares(model: str, texts: list[str]) -> dict:
    import campaignnlp
    nlp = campaignnlp.load(model)
    total, staged = 0, {}
    for doc in nlp.pipe(texts, batch_size=64):
        for s in doc._.campaign_sentences:
            total += 1
            if s._.stage != "其他":
                staged[s._.stage] = staged.get(s._.stage, 0) + 1
    manifest = Path(model) / "manifest.json"
    version = json.loads(manifest.read_text(encoding="utf-8")).get("version") if manifest.is_file() else None
    return {"version": version, "sentences": total, "staged": sum(staged.values()),
            "share": sum(staged.values()) / max(total, 1), "per_stage": staged}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("models", nargs="+")
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "false_alarms.json")
    args = ap.parse_args(argv)
    texts = [d["text"] for d in sample(args.shared, args.n, args.seed)]
    results = {m: stage_shares(m, texts) for m in args.models}
    base = results[args.models[0]]["share"]
    for m, r in results.items():
        r["ratio_to_first"] = r["share"] / base if base else None
        print(f"{m} ({r['version']}): {r['staged']} of {r['sentences']} sentences given a stage ({r['share']:.2%}, "
              f"{r['ratio_to_first']:.2f}x the first) {r['per_stage']}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"documents": len(texts), "seed": args.seed, "results": results},
                                   ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
