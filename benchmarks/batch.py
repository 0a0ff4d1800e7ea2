"""Batch tagging throughput and memory: ``campaignnlp tag`` against bare segmentation.

    python benchmarks/batch.py --limit 3000          # a slice (a few minutes)
    nice python benchmarks/batch.py --limit 0        # the whole corpus (75,727 documents)

For each setting (1 and 2 processes, alternating, ``--repeat`` rounds; figures are medians)
it runs the real command line (``campaignnlp tag CORPUS -o DIR``, JSONL parts, in a
subprocess) on the first ``--limit`` documents and samples the resident memory of
the process and its worker processes (psutil) every ``--sample`` seconds: peak RSS over the
run, and RSS when the first 1,000 documents are written. Throughput is characters of input
per second of tagging (from the command's own summary: model loading excluded).

The floor is segmentation alone: the same pipeline's tokenizer (``nlp.make_doc``: the pkuseg
model with our normalisation and sentence units) over the same texts read the same way, in
this process, run before and after the tagging runs (the machine may be shared: their spread
shows how much). Writes ``benchmarks/results/batch.json`` and ``batch.md``.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "corpus" / "xwlb_all.jsonl.gz"
sys.path.insert(0, str(REPO))


def slice_file(data: Path, limit: int, tmp: Path) -> Path:
    """The first ``limit`` lines as a plain JSONL file (0: the whole file as it is)."""
    if not limit:
        return data
    from campaignnlp.corpus import _open_text

    out = tmp / f"slice_{limit}.jsonl"
    with _open_text(data) as f, out.open("w", encoding="utf-8") as g:
        g.writelines(itertools.islice(f, limit))
    return out


def segment_only(corpus: Path, model, chunk_size: int, bare: bool = False) -> dict:
    """Tokenizer alone over the corpus, in memory zones like the tagger; ``bare``: the
    pipeline's pkuseg model alone (``pkuseg.cut`` on each whole text, the same model and
    word-feature limit), with no normalisation, sentence units or Doc."""
    import campaignnlp
    from campaignnlp.corpus import iter_documents

    nlp = campaignnlp.load(model)
    cut = nlp.tokenizer.pkuseg_seg.cut
    docs = chars = 0
    start, cpu_start = time.monotonic(), time.process_time()
    batch: list[str] = []

    def flush():
        if bare:
            for text in batch:
                cut(text)
            return
        with nlp.memory_zone():
            for text in batch:
                nlp.make_doc(text)

    for d in iter_documents([corpus]):
        if d.text is None:
            continue
        batch.append(d.text)
        docs += 1
        chars += len(d.text)
        if len(batch) >= chunk_size:
            flush()
            batch = []
    flush()
    seconds = time.monotonic() - start
    cpu = time.process_time() - cpu_start
    return {"documents": docs, "chars": chars, "seconds": round(seconds, 2),
            "chars_per_s": round(chars / seconds, 1), "cpu_seconds": round(cpu, 2),
            "chars_per_cpu_s": round(chars / cpu, 1)}


def interleaved(corpus: Path, model, chunk_size: int, batch_size: int) -> dict:
    """Tagging against bare pkuseg in this process, chunk by chunk, alternating: each chunk
    is cut by pkuseg alone, then tagged (``tag_chunks``: the command's core, memory zones
    and all). CPU seconds are summed per side, so both sides see the same machine load at
    nearly the same moments; on a shared machine this ratio is the steadiest figure."""
    import campaignnlp
    from campaignnlp.batch import tag_chunks
    from campaignnlp.corpus import iter_documents

    nlp = campaignnlp.load(model)
    cut = nlp.tokenizer.pkuseg_seg.cut
    nlp.tokenizer.warm_vocabulary()  # what tag_chunks does first, once per run
    bare = tag = 0.0
    docs = chars = 0
    chunk = []

    def flush():
        nonlocal bare, tag
        t = time.process_time()
        for d in chunk:
            cut(d.text)
        t1 = time.process_time()
        for _ in tag_chunks(nlp, chunk, chunk_size=chunk_size, batch_size=batch_size):
            pass
        t2 = time.process_time()
        bare += t1 - t
        tag += t2 - t1

    for d in iter_documents([corpus]):
        if d.text is None:
            continue
        chunk.append(d)
        docs += 1
        chars += len(d.text)
        if len(chunk) >= chunk_size:
            flush()
            chunk = []
    if chunk:
        flush()
    return {"documents": docs, "chars": chars, "bare_cpu_seconds": round(bare, 2),
            "tag_cpu_seconds": round(tag, 2), "ratio": round(bare / tag, 3)}


def tree_rss(proc: psutil.Process) -> tuple[int, int]:
    """(RSS of the process, RSS summed over it and its children) in bytes."""
    try:
        main = proc.memory_info().rss
        children = proc.children(recursive=True)
    except psutil.Error:  # the process has just ended
        return 0, 0
    total = main
    for child in children:
        try:
            total += child.memory_info().rss
        except psutil.Error:  # a worker that has just ended
            pass
    return main, total


def tag_run(corpus: Path, n_process: int, args, tmp: Path, chars: int) -> dict:
    out = tmp / f"out_{n_process}"
    cmd = [sys.executable, "-m", "campaignnlp.cli", "tag", str(corpus), "-o", str(out),
           "--format", "jsonl", "--n-process", str(n_process),
           "--chunk-size", str(args.chunk_size), "--progress-every", "0"]
    if args.model:
        cmd += ["--model", str(args.model)]
    if args.batch_size:
        cmd += ["--batch-size", str(args.batch_size)]
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                            cwd=REPO)
    ps = psutil.Process(proc.pid)
    state = {"docs": 0, "peak_main": 0, "peak_tree": 0, "at_1000": None, "lines": []}
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            main, tree = tree_rss(ps)
            state["peak_main"] = max(state["peak_main"], main)
            state["peak_tree"] = max(state["peak_tree"], tree)
            stop.wait(args.sample)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    for line in proc.stderr:  # progress lines: "N docs, ..." after every chunk
        state["lines"].append(line.rstrip())
        m = re.match(r"([\d,]+) docs, ", line)
        if m:
            state["docs"] = int(m.group(1).replace(",", ""))
            if state["at_1000"] is None and state["docs"] >= 1000:
                state["at_1000"] = {"documents": state["docs"], "rss_main": tree_rss(ps)[0],
                                    "rss_tree": tree_rss(ps)[1]}
    proc.wait()
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the command and its workers
    cpu = sum(getattr(cpu_after, f) - getattr(cpu_before, f) for f in ("ru_utime", "ru_stime"))
    stop.set()
    sampler.join()
    summary = state["lines"][-1]
    m = re.search(r"tagged (\d+) documents \((\d+) sentences\).*?; (\d+) failed.*?; ([\d.]+) s, "
                  r"([\d,]+) chars/s", summary)
    if not m:
        raise RuntimeError(f"unexpected output from {' '.join(cmd)}:\n" + "\n".join(state["lines"][-5:]))
    mb = 1 / 2**20
    result = {"n_process": n_process, "documents": int(m.group(1)) + int(m.group(3)),
              "sentences": int(m.group(2)), "failed": int(m.group(3)),
              "seconds": float(m.group(4)), "chars_per_s": float(m.group(5).replace(",", "")),
              "exit_status": proc.returncode,
              # CPU seconds of the command and its workers, model loading included: a figure
              # the other work on a shared machine does not change
              "cpu_seconds": round(cpu, 2), "chars_per_cpu_s": round(chars / cpu, 1),
              "peak_rss_mb_main": round(state["peak_main"] * mb, 1),
              "peak_rss_mb_tree": round(state["peak_tree"] * mb, 1)}
    if state["at_1000"]:
        a = state["at_1000"]
        result.update({"rss_mb_main_after_1000": round(a["rss_main"] * mb, 1),
                       "rss_mb_tree_after_1000": round(a["rss_tree"] * mb, 1),
                       "peak_over_after_1000_main": round(state["peak_main"] / a["rss_main"], 3)})
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--limit", type=int, default=3000, help="first N documents (0: all)")
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--processes", default="1,2")
    ap.add_argument("--batch-size", type=int, default=None,
                    help="texts per batch (default: the command's, 128 in one process, 32 per worker batch)")
    ap.add_argument("--chunk-size", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=3,
                    help="rounds of the command-line runs, settings alternating (figures: medians)")
    ap.add_argument("--interleaved", type=int, default=2,
                    help="runs of the in-process interleaved comparison (0: none)")
    ap.add_argument("--sample", type=float, default=0.25, help="seconds between RSS samples")
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "batch.json")
    args = ap.parse_args()

    started = time.time()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        corpus = slice_file(args.data, args.limit, tmp)
        seg = [segment_only(corpus, args.model, args.chunk_size)]
        print(f"segmentation: {seg[0]['chars_per_s']:,.0f} chars/s", file=sys.stderr)
        runs = []
        for rep in range(args.repeat):  # the settings alternate: each round sees similar load
            out = tmp / f"round{rep}"
            out.mkdir()
            for n in (int(x) for x in args.processes.split(",")):
                runs.append(tag_run(corpus, n, args, out, seg[0]["chars"]) | {"round": rep})
                print(f"tag, {n} process(es): {runs[-1]['chars_per_s']:,.0f} chars/s, peak RSS "
                      f"{runs[-1]['peak_rss_mb_tree']} MB", file=sys.stderr)
        seg.append(segment_only(corpus, args.model, args.chunk_size))
        print(f"segmentation again: {seg[1]['chars_per_s']:,.0f} chars/s", file=sys.stderr)
        bare = [segment_only(corpus, args.model, args.chunk_size, bare=True) for _ in range(2)]
        print(f"bare pkuseg: {bare[0]['chars_per_s']:,.0f} / {bare[1]['chars_per_s']:,.0f} chars/s",
              file=sys.stderr)
        alternating = [interleaved(corpus, args.model, args.chunk_size, args.batch_size)
                       for _ in range(args.interleaved)]
        for a in alternating:
            print(f"interleaved, 1 process: tagging {a['ratio']:.3f}x bare pkuseg (CPU)", file=sys.stderr)
    seg_rate = sum(s["chars_per_s"] for s in seg) / len(seg)
    bare_rate = max(b["chars_per_s"] for b in bare)  # the faster run: the stricter floor
    bare_cpu_rate = max(b["chars_per_cpu_s"] for b in bare)
    by_n = {}  # per setting, its median run by chars/s
    for n in sorted({r["n_process"] for r in runs}):
        mine = sorted((r for r in runs if r["n_process"] == n), key=lambda r: r["chars_per_s"])
        by_n[n] = mine[(len(mine) - 1) // 2]
    # 2 over 1 within each round, where both ran under about the same load
    speedups = [round(two["chars_per_s"] / one["chars_per_s"], 3) for one, two in
                ((next((r for r in runs if r["round"] == k and r["n_process"] == 1), None),
                  next((r for r in runs if r["round"] == k and r["n_process"] == 2), None))
                 for k in range(args.repeat)) if one and two]
    result = {
        "data": str(args.data.relative_to(REPO.parent) if args.data.is_relative_to(REPO.parent) else args.data),
        "limit": args.limit, "documents": seg[0]["documents"], "chars": seg[0]["chars"],
        "batch_size": args.batch_size, "chunk_size": args.chunk_size,
        "segmentation": seg, "segmentation_chars_per_s": round(seg_rate, 1),
        "tag": runs,
        "ratio_to_segmentation": {n: round(r["chars_per_s"] / seg_rate, 3) for n, r in by_n.items()},
        "bare_pkuseg": bare,
        # the floor: the same pkuseg model alone on the same texts
        "ratio_to_bare_pkuseg": {n: round(r["chars_per_s"] / bare_rate, 3) for n, r in by_n.items()},
        "ratio_to_bare_pkuseg_cpu": {n: round(r["chars_per_cpu_s"] / bare_cpu_rate, 3)
                                     for n, r in by_n.items()},
        # the same texts, chunk by chunk, pkuseg alone then tagged, in one process
        "interleaved_1_process": alternating,
        "speedup_2_over_1_per_round": speedups,
        "speedup_2_over_1": sorted(speedups)[(len(speedups) - 1) // 2] if speedups else None,
        # CPU time per character: what the machine's load leaves out. 2 processes on 2 idle
        # cores can at best reach 2 x this ratio of the 1-process throughput.
        "cpu_efficiency_2_over_1": (round(by_n[2]["chars_per_cpu_s"] / by_n[1]["chars_per_cpu_s"], 3)
                                    if 1 in by_n and 2 in by_n else None),
        "ratio_to_segmentation_cpu": {n: round(r["chars_per_cpu_s"] / (sum(s["chars_per_cpu_s"] for s in seg) / len(seg)), 3)
                                      for n, r in by_n.items()},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average_before": [round(x, 2) for x in load_before],
                    "load_average_after": [round(x, 2) for x in os.getloadavg()]},
        "total_minutes": round((time.time() - started) / 60, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    args.out.with_suffix(".md").write_text(report(result, args), encoding="utf-8")
    print(report(result, args))


def report(r: dict, args) -> str:
    lines = [f"# Batch tagging: {r['documents']:,} documents, {r['chars']:,} characters "
             f"(`{r['data']}`{', first ' + format(r['limit'], ',') if r['limit'] else ''})", "",
             f"Command: `python benchmarks/batch.py --limit {r['limit']}`; batch size "
             f"{r['batch_size'] or 'default'}, chunk {r['chunk_size']} documents. Machine: {r['machine']['cpus']} "
             f"CPUs, load average {r['machine']['load_average_before'][0]} before, "
             f"{r['machine']['load_average_after'][0]} after (shared with other work).", "",
             "| run | chars/s | ratio to segmentation | chars per CPU-s | ratio (CPU) | peak RSS, main (MB) "
             "| peak RSS, all processes (MB) | RSS after 1,000 docs, main (MB) | peak / after 1,000 |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for s in r["segmentation"]:
        lines.append(f"| segmentation only (`nlp.make_doc`), 1 process | {s['chars_per_s']:,.0f} | | "
                     f"{s['chars_per_cpu_s']:,.0f} | | | | | |")
    for b in r.get("bare_pkuseg", []):
        lines.append(f"| bare pkuseg (`pkuseg.cut`, same model), 1 process | {b['chars_per_s']:,.0f} | | "
                     f"{b['chars_per_cpu_s']:,.0f} | | | | | |")
    seg_cpu = sum(s["chars_per_cpu_s"] for s in r["segmentation"]) / len(r["segmentation"])
    for t in r["tag"]:
        lines.append(
            f"| `campaignnlp tag`, {t['n_process']} process(es), round {t.get('round', 0) + 1} | "
            f"{t['chars_per_s']:,.0f} | "
            f"{t['chars_per_s'] / r['segmentation_chars_per_s']:.2f} | {t['chars_per_cpu_s']:,.0f} | "
            f"{t['chars_per_cpu_s'] / seg_cpu:.2f} | {t['peak_rss_mb_main']} | "
            f"{t['peak_rss_mb_tree']} | {t.get('rss_mb_main_after_1000', '')} | "
            f"{t.get('peak_over_after_1000_main', '')} |")
    if r.get("ratio_to_bare_pkuseg"):
        lines += ["", "Ratio to bare pkuseg (the faster of its two runs), chars/s of the median "
                  "run of each setting: " + ", ".join(
            f"{n} process(es) {v:.2f}" for n, v in r["ratio_to_bare_pkuseg"].items())
            + "; per CPU-second: " + ", ".join(
            f"{n} process(es) {v:.2f}" for n, v in r["ratio_to_bare_pkuseg_cpu"].items()) + "."]
    for a in r.get("interleaved_1_process", []):
        lines += ["", f"Interleaved in one process (each chunk of {r['chunk_size']} cut by bare pkuseg, "
                  f"then tagged; CPU seconds summed per side): tagging {a['tag_cpu_seconds']} s, bare "
                  f"pkuseg {a['bare_cpu_seconds']} s, so tagging runs at **{a['ratio']:.2f}x** bare pkuseg."]
    if r["speedup_2_over_1"]:
        lines += ["", f"2 processes / 1 process, in chars/s, per round of alternating runs: "
                  + ", ".join(f"{x:.2f}x" for x in r["speedup_2_over_1_per_round"])
                  + f"; median **{r['speedup_2_over_1']:.2f}x**. CPU "
                  f"efficiency (chars per CPU-second, 2 over 1) {r['cpu_efficiency_2_over_1']:.2f}, "
                  f"so at most {2 * r['cpu_efficiency_2_over_1']:.2f}x on two idle cores."]
    lines += ["", "Ratio: tagging chars/s over the mean of the two segmentation runs. RSS of all "
              "processes sums the worker processes' RSS, so pages they share with the parent "
              "(the model, copy-on-write after fork) count more than once.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
