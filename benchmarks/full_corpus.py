"""The whole corpus through ``campaignnlp tag`` with 2 processes: does memory stay flat?

    nice python benchmarks/full_corpus.py        # ~12 min on 2 idle cores

Runs the real command on ``../shared/data/corpus/xwlb_all.jsonl.gz`` (75,727 documents),
samples the resident memory of the command and its workers every 2 s (psutil), and reads
the command's progress lines to find the RSS once 1,000 documents are done: the issue's
target is peak <= 1.5x that. Writes ``benchmarks/results/batch_full.json``.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "corpus" / "xwlb_all.jsonl.gz"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--n-process", type=int, default=2)
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "batch_full.json")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "campaignnlp.cli", "tag", str(args.data), "-o",
               str(Path(tmp) / "tagged.jsonl"), "--n-process", str(args.n_process),
               "--progress-every", "5"]
        start = time.time()
        p = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.extend(p.stderr), daemon=True)
        reader.start()
        proc = psutil.Process(p.pid)
        peak = [0, 0]  # main, main + workers
        after_1000 = None
        while p.poll() is None:
            try:
                main_rss = proc.memory_info().rss
                tree = main_rss + sum(c.memory_info().rss for c in proc.children(recursive=True))
            except psutil.Error:
                break
            peak = [max(peak[0], main_rss), max(peak[1], tree)]
            done = next((int(m.group(1).replace(",", "")) for m in
                         (re.match(r"([\d,]+) docs", x) for x in reversed(lines)) if m), 0)
            if after_1000 is None and done >= 1000:
                after_1000 = (main_rss, tree)
            time.sleep(2)
        reader.join(timeout=5)
    mb = 1 << 20
    result = {
        "command": " ".join(["campaignnlp", "tag", str(args.data), "-o", "OUT"] + cmd[7:]),
        "exit_status": p.returncode, "wall_seconds": round(time.time() - start, 1),
        "summary": lines[-1].strip() if lines else "",
        "peak_rss_mb": {"main": peak[0] // mb, "with_workers": peak[1] // mb},
        "rss_mb_after_1000_docs": ({"main": after_1000[0] // mb, "with_workers": after_1000[1] // mb}
                                   if after_1000 else None),
        "peak_over_after_1000": ({"main": round(peak[0] / after_1000[0], 3),
                                  "with_workers": round(peak[1] / after_1000[1], 3)}
                                 if after_1000 else None),
    }
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
