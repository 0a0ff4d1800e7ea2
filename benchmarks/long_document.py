"""Time and peak memory of tagging one long document, by size: is the work linear?

    python benchmarks/long_document.py [--sizes 0.5 1 2 5] [--no-cli] [--json OUT.json]

For each size (MB of UTF-8) and each kind of text, one fresh subprocess loads the shipped
pipeline with ``campaignnlp.load()`` and tags a single document of that size:

  normal    report text: the documents of ../shared/data/corpus (read in place; our own
            examples/ when it is absent) joined with line breaks, cut to the size
  nopunct   the same characters with every punctuation mark and whitespace removed: one
            line of unbroken Chinese, the worst case for the sentence splitter

Measured: wall and CPU seconds of ``nlp(text)`` (CPU time is what to compare: the machine is
shared), per MB, and the ratio of the per-MB time to the smallest size's (linear work keeps
it near 1; quadratic work doubles it with every doubling); the peak resident memory the call
added (VmHWM, reset just before the call, minus resident memory before it), per MB; the number of sentences
and the longest one. The largest ``nopunct`` document is also tagged through the CLI
(``campaignnlp tag FILE -o OUT``) in its own process. Writes JSON and a Markdown table
(default benchmarks/results/long_document.{json,md}); the texts themselves are not written.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_CORPUS = REPO.parent / "shared" / "data" / "corpus" / "xwlb_campaign.jsonl"
RESULTS = REPO / "benchmarks" / "results"
MB = 1_000_000


def source_text() -> tuple[str, str]:
    if SHARED_CORPUS.exists():
        with SHARED_CORPUS.open(encoding="utf-8") as f:
            return "\n".join(json.loads(line)["text"] for line in f), str(SHARED_CORPUS.name)
    texts = [p.read_text(encoding="utf-8") for p in sorted((REPO / "examples" / "reports").glob("*.txt"))]
    return "\n".join(texts), "examples/reports"


def make_text(kind: str, size_mb: float) -> str:
    base, _ = source_text()
    if kind == "nopunct":
        base = "".join(ch for ch in base
                       if not ch.isspace() and not unicodedata.category(ch).startswith("P"))
    target = int(size_mb * MB)
    # repeat the source until there are enough bytes, then cut at a character boundary
    reps = target // len(base.encode("utf-8")) + 1
    return (base * reps).encode("utf-8")[:target].decode("utf-8", errors="ignore")


def rss_mb(field: str = "VmRSS") -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak() -> bool:
    """Reset the process's peak resident memory (VmHWM) to its current value (Linux)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def worker(kind: str, size_mb: float) -> dict:
    t0 = time.perf_counter()
    import campaignnlp

    nlp = campaignnlp.load()
    load_s = time.perf_counter() - t0
    text = make_text(kind, size_mb)
    nlp("预热。")  # first-call set-up is not part of the document's cost
    before = rss_mb()
    # without a reset, the peak would be loading's if that was higher
    peak_field = "VmHWM" if reset_peak() else None
    wall, cpu = time.perf_counter(), time.process_time()
    doc = nlp(text)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = (rss_mb(peak_field) if peak_field
            else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)  # KiB on Linux
    sents = doc.spans["campaign"]
    assert "".join(t.text_with_ws for t in doc) == text
    return {
        "kind": kind, "size_mb": size_mb, "bytes": len(text.encode("utf-8")), "chars": len(text),
        "tokens": len(doc), "sentences": len(sents),
        "longest_sentence": max((len(s.text) for s in sents), default=0),
        "max_length": nlp.get_pipe("campaign_senter").max_length,
        "wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "load_s": round(load_s, 2),
        "rss_before_mb": round(before, 1), "peak_added_mb": round(peak - before, 1),
    }


def cli_run(size_mb: float) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "long.txt", Path(tmp) / "out.jsonl"
        text = make_text("nopunct", size_mb)
        src.write_text(text, encoding="utf-8")
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "campaignnlp", "tag", str(src), "-o", str(out),
                               "--quiet"], capture_output=True, text=True)
        wall = time.perf_counter() - t
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        record = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
        return {"kind": "nopunct (CLI)", "size_mb": size_mb, "chars": len(text),
                "exit": proc.returncode, "stderr": proc.stderr[-500:],
                "sentences": len(record.get("sentences", [])), "error": record.get("error"),
                "wall_s": round(wall, 2), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1)}


def run_worker(kind: str, size_mb: float) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--worker", kind, str(size_mb)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} {size_mb} MB failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def table(rows: list[dict]) -> str:
    lines = ["| text | MB | characters | sentences | longest | CPU s | CPU s/MB | ratio | wall s | "
             "peak added MB | MB per MB |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['kind']} | {r['size_mb']} | {r['chars']:,} | {r['sentences']:,} | "
                     f"{r['longest_sentence']} | {r['cpu_s']} | {r['cpu_s_per_mb']} | "
                     f"{r['ratio']} | {r['wall_s']} | {r['peak_added_mb']} | "
                     f"{r['peak_mb_per_mb']} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=float, nargs="+", default=[0.5, 1, 2, 5])
    ap.add_argument("--kinds", nargs="+", default=["normal", "nopunct"])
    ap.add_argument("--no-cli", action="store_true")
    ap.add_argument("--json", type=Path, default=RESULTS / "long_document.json")
    ap.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker[0], float(args.worker[1]))))
        return
    rows = []
    for kind in args.kinds:
        first = None
        for size in sorted(args.sizes):
            r = run_worker(kind, size)
            r["cpu_s_per_mb"] = round(r["cpu_s"] / (r["bytes"] / MB), 2)
            r["peak_mb_per_mb"] = round(r["peak_added_mb"] / (r["bytes"] / MB), 1)
            first = first or r["cpu_s_per_mb"]
            r["ratio"] = round(r["cpu_s_per_mb"] / first, 2)
            rows.append(r)
            print(f"{kind:8} {size:>4} MB  {r['chars']:>9,} chars  cpu {r['cpu_s']:>7.1f}s  "
                  f"{r['cpu_s_per_mb']:>6.1f} s/MB  ratio {r['ratio']:.2f}  "
                  f"peak +{r['peak_added_mb']:.0f} MB  longest {r['longest_sentence']}", flush=True)
    cli = None if args.no_cli else cli_run(max(args.sizes))
    if cli:
        print(f"CLI: {cli['size_mb']} MB no punctuation: exit {cli['exit']}, "
              f"{cli['sentences']} sentences, {cli['wall_s']} s", flush=True)
    _, source = source_text()
    result = {
        "what": "one document per run, tagged by the shipped pipeline (campaignnlp.load())",
        "source": source, "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared)",
        "python": platform.python_version(), "rows": rows, "cli": cli,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    md = ["# Long documents", "", "`python benchmarks/long_document.py`: one document per fresh "
          f"process, text from {source}; CPU seconds of `nlp(text)`; ratio = CPU s/MB over the "
          "smallest size's (linear work: about 1); peak added = peak resident memory during the "
          "call minus resident memory before it.", "", table(rows), ""]
    if cli:
        md += [f"CLI (`campaignnlp tag`, {cli['size_mb']} MB without punctuation, "
               f"{cli['chars']:,} characters): exit {cli['exit']}, {cli['sentences']:,} sentences, "
               f"{cli['wall_s']} s wall including loading, peak resident {cli['peak_rss_mb']} MB.", ""]
    args.json.with_suffix(".md").write_text("\n".join(md), encoding="utf-8")


if __name__ == "__main__":
    main()
