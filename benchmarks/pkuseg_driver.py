"""The pkuseg driver (campaignnlp.pkuseg_fast) against pkuseg's own ``cut``, same model.

    python benchmarks/pkuseg_driver.py --limit 2000

Both sides cut the same sentence units of the first ``--limit`` documents of
``../shared/data/corpus/xwlb_all.jsonl.gz`` (the units and normalised view the tokenizer
makes), chunk by chunk and alternating, so that both see the same machine load; CPU seconds
are summed per side. Every chunk's words are compared: the figure is only worth anything if
they are all equal. Writes ``benchmarks/results/pkuseg_driver.json``.
"""
from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "corpus" / "xwlb_all.jsonl.gz"
sys.path.insert(0, str(REPO))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--limit", type=int, default=2000, help="first N documents")
    ap.add_argument("--chunk-size", type=int, default=200, help="documents per alternation")
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "pkuseg_driver.json")
    args = ap.parse_args()

    import campaignnlp
    from campaignnlp.corpus import iter_documents
    from campaignnlp.normalize import normalize
    from campaignnlp.sentences import split_sentences

    nlp = campaignnlp.load()
    tokenizer = nlp.tokenizer
    seg, driver = tokenizer.pkuseg_seg, tokenizer._cutter()
    docs = (d.text for d in itertools.islice(iter_documents([args.data]), args.limit) if d.text)
    pkuseg_cpu = driver_cpu = 0.0
    n_docs = n_units = chars = mismatches = 0
    while True:
        chunk = list(itertools.islice(docs, args.chunk_size))
        if not chunk:
            break
        units = []
        for text in chunk:
            view = normalize(text)
            units.append([view[s:e] for s, e in split_sentences(text, max_length=tokenizer.max_length)])
        t0 = time.process_time()
        expected = [[seg.cut(u) for u in doc] for doc in units]
        t1 = time.process_time()
        got = [driver.cut_many(doc) for doc in units]  # as the tokenizer calls it: per document
        t2 = time.process_time()
        pkuseg_cpu += t1 - t0
        driver_cpu += t2 - t1
        mismatches += sum(a != b for x, y in zip(expected, got) for a, b in zip(x, y))
        n_docs += len(chunk)
        n_units += sum(map(len, units))
        chars += sum(len(u) for doc in units for u in doc)
    result = {"documents": n_docs, "units": n_units, "chars": chars,
              "pkuseg_cut_cpu_seconds": round(pkuseg_cpu, 2),
              "driver_cpu_seconds": round(driver_cpu, 2),
              "speedup": round(pkuseg_cpu / driver_cpu, 3),
              "units_with_different_words": mismatches}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    if mismatches:
        sys.exit(f"{mismatches} units were cut differently: the driver is wrong")


if __name__ == "__main__":
    main()
