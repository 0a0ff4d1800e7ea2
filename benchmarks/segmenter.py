"""Side-by-side benchmark of Chinese word segmenters, as used through spaCy's zh tokenizer.

    python benchmarks/segmenter.py [--json OUT.json]

Segmenters (each loaded and run in its own fresh subprocess, one after the other):
  ours          our compact model + campaign user dictionary, word features limited to 2
                characters (campaignnlp.tokenizer.limit_word_features): what the pipeline should ship
  ours-plain    the same model loaded by plain spaCy (identical output, slower)
  default       pkuseg's `default` model with spaCy's default user dict setting
  default-wm2   the default model with the same speedup applied (for comparison only)
  default+dict  the teacher: default model + our user dictionary (the domain reference)
  jieba         spaCy's jieba segmenter

Measured on the same texts and machine: word F1 on SIGHAN-2005 PKU and MSR test gold; F1
against the teacher (+dict, approximate numbers joined as in the build) on held-out campaign
documents (never used for training); load time (tokenizer initialisation, incl. jieba's
dictionary); resident memory after load (RSS delta over a process that has imported spaCy
and created a blank pipeline, which loads installed spaCy plugins; that cost is reported
separately as spacy_init_*); characters per second over all texts (CPU time of the segmenting process). Prints a table and
writes JSON (default benchmarks/results/segmenter.json).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEG_DIR = REPO / "training" / "segmenter"
sys.path.insert(0, str(SEG_DIR))

import corpus  # noqa: E402
import metrics  # noqa: E402

TEACHER_CANDIDATES = [
    SEG_DIR / "build" / "teacher" / "pkuseg-0.0.25" / "pkuseg" / "models" / "default",
    Path("/tmp/pkuseg_sdist/pkuseg-0.0.25/pkuseg/models/default"),
]


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


# --------------------------------------------------------------------------- worker
def worker(spec: dict, texts_file: str, out_file: str) -> None:
    import spacy

    with open(texts_file, encoding="utf-8") as f:
        sets = json.load(f)
    segmenter = "jieba" if spec["kind"] == "jieba" else "pkuseg"
    # Creating the first spaCy pipeline in a process loads every installed package's spaCy
    # factories (entry points; campaignnlp's pull in scikit-learn, SciPy, pandas). Pay that
    # once before the baseline, so load time and memory are the segmenter's own; the cost is
    # reported separately (spacy_init_*).
    r, t = rss_mb(), time.perf_counter()
    spacy.blank("xx")
    spacy_init_s, spacy_init_mb = time.perf_counter() - t, rss_mb() - r
    rss0 = rss_mb()
    t0 = time.perf_counter()
    if spec["kind"] == "pipeline":
        nlp = spacy.load(spec["model"])
    else:
        # jieba loads its dictionary when the blank pipeline is created: time it from here
        nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": segmenter}}})
        if spec["kind"] == "jieba":
            import jieba

            jieba.initialize()  # no-op if already loaded
        else:
            nlp.tokenizer.initialize(pkuseg_model=spec["model"], pkuseg_user_dict=spec["user_dict"])
    if spec.get("word_max"):
        from campaignnlp.tokenizer import limit_word_features

        limit_word_features(nlp.tokenizer.pkuseg_seg, spec["word_max"])
    load_s = time.perf_counter() - t0
    rss1 = rss_mb()
    out = {"load_s": load_s, "rss_before_mb": rss0, "rss_after_mb": rss1, "rss_delta_mb": rss1 - rss0,
           "spacy_init_s": spacy_init_s, "spacy_init_rss_mb": spacy_init_mb,
           "pred": {}, "seconds": {}, "cpu_seconds": {}, "chars": {}}
    tok = nlp.tokenizer
    for name, texts in sets.items():
        t0, c0 = time.perf_counter(), time.process_time()
        pred = [[t.text for t in tok(text) if not t.is_space] for text in texts]
        out["cpu_seconds"][name] = time.process_time() - c0
        out["seconds"][name] = time.perf_counter() - t0
        out["chars"][name] = sum(len(t) for t in texts)
        out["pred"][name] = pred
    out["rss_end_mb"] = rss_mb()
    with open(out_file, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False)


# --------------------------------------------------------------------------- main
def run_worker(spec: dict, texts_file: str) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
        out_file = tmp.name
    try:
        subprocess.run([sys.executable, __file__, "--worker", json.dumps(spec), texts_file, out_file],
                       check=True, stderr=subprocess.DEVNULL)
        with open(out_file, encoding="utf-8") as f:
            return json.load(f)
    finally:
        os.unlink(out_file)


def rel(path) -> str:
    """A path relative to the repository if it is inside it (keeps the results file portable)."""
    p = Path(path).resolve()
    return str(p.relative_to(REPO)) if p.is_relative_to(REPO) else str(path)


def dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--ours", type=Path, default=SEG_DIR / "build" / "pkuseg_model",
                    help="our pkuseg model directory (features.msgpack, weights.npz)")
    ap.add_argument("--pipeline", type=Path, default=None,
                    help="measure a saved spaCy pipeline (spacy.load) as 'ours' instead of --ours")
    ap.add_argument("--user-dict", type=Path, default=SEG_DIR / "user_dict.txt")
    ap.add_argument("--teacher", type=Path, default=None)
    ap.add_argument("--json", type=Path, default=REPO / "benchmarks" / "results" / "segmenter.json",
                    help="results file (numbers and settings only, no segmented text)")
    ap.add_argument("--max-lines", type=int, default=0, help="limit lines per test set (0 = all)")
    ap.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:
        worker(json.loads(args.worker[0]), args.worker[1], args.worker[2])
        return 0

    teacher = args.teacher or next((p for p in TEACHER_CANDIDATES if (p / "weights.npz").exists()), None)
    if teacher is None:
        sys.exit("teacher (pkuseg default model) not found: run training/segmenter/build.py or pass --teacher")
    cws = args.shared / "data" / "cws"
    pku_gold, pku_raw = metrics.read_gold(cws / "pku_test_gold.utf8")
    msr_gold, msr_raw = metrics.read_gold(cws / "msr_test_gold.utf8")
    domain = [s for d in corpus.campaign_docs(args.shared, heldout=True) for s in corpus.sentences(d["text"])]
    if args.max_lines:
        pku_gold, pku_raw = pku_gold[: args.max_lines], pku_raw[: args.max_lines]
        msr_gold, msr_raw = msr_gold[: args.max_lines], msr_raw[: args.max_lines]
        domain = domain[: args.max_lines]
    sets = {"pku": pku_raw, "msr": msr_raw, "domain": domain}

    if args.pipeline:
        ours = {"kind": "pipeline", "model": str(args.pipeline)}
        ours_bytes = dir_bytes(args.pipeline / "tokenizer")
    else:
        ours = {"kind": "pkuseg", "model": str(args.ours), "user_dict": str(args.user_dict)}
        ours_bytes = dir_bytes(args.ours)
    specs = {
        "ours": dict(ours, word_max=2),
        "ours-plain": ours,
        "default": {"kind": "pkuseg", "model": str(teacher), "user_dict": "default"},
        "default-wm2": {"kind": "pkuseg", "model": str(teacher), "user_dict": "default", "word_max": 2},
        "default+dict": {"kind": "pkuseg", "model": str(teacher), "user_dict": str(args.user_dict)},
        "jieba": {"kind": "jieba"},
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as tmp:
        json.dump(sets, tmp, ensure_ascii=False)
        texts_file = tmp.name
    load_before = os.getloadavg()
    runs = {}
    try:
        for name, spec in specs.items():
            print(f"running {name} ...", file=sys.stderr, flush=True)
            runs[name] = run_worker(spec, texts_file)
    finally:
        os.unlink(texts_file)

    # the domain reference: the teacher with our dictionary, approximate numbers joined
    reference = [corpus.join_approx_numbers(p) for p in runs["default+dict"]["pred"]["domain"]]
    results = {}
    for name, r in runs.items():
        total_chars = sum(r["chars"].values())
        total_s = sum(r["cpu_seconds"].values())  # CPU time: robust to load on other cores
        results[name] = {
            "pku_f1": metrics.word_prf(pku_gold, r["pred"]["pku"])["f1"],
            "msr_f1": metrics.word_prf(msr_gold, r["pred"]["msr"])["f1"],
            "domain_f1_vs_teacher": metrics.word_prf(reference, r["pred"]["domain"])["f1"],
            "load_s": r["load_s"],
            "rss_delta_mb": r["rss_delta_mb"],
            "rss_after_load_mb": r["rss_after_mb"],
            "spacy_init_s": r["spacy_init_s"],
            "spacy_init_rss_mb": r["spacy_init_rss_mb"],
            "chars_per_s": total_chars / total_s,
            "chars_per_wall_s": total_chars / sum(r["seconds"].values()),
            "domain_chars_per_s": r["chars"]["domain"] / r["cpu_seconds"]["domain"],
        }
    results["ours"]["model_bytes"] = ours_bytes
    results["default"]["model_bytes"] = dir_bytes(teacher)
    d, o = results["default"], results["ours"]
    ratios = {
        "load_time": o["load_s"] / d["load_s"],
        "rss_delta": o["rss_delta_mb"] / d["rss_delta_mb"],
        "speed": o["chars_per_s"] / d["chars_per_s"],
        "speed_plain_load": results["ours-plain"]["chars_per_s"] / d["chars_per_s"],
        "speed_vs_default_wm2": o["chars_per_s"] / results["default-wm2"]["chars_per_s"],
        "model_bytes": o["model_bytes"] / d["model_bytes"],
        "pku_f1_points": 100 * (o["pku_f1"] - d["pku_f1"]),
        "msr_f1_points": 100 * (o["msr_f1"] - d["msr_f1"]),
    }
    targets = {
        "model_files_le_25MB": o["model_bytes"] <= 25 * 1024 * 1024,
        "load_le_1s": o["load_s"] <= 1.0,
        "rss_le_250MB": o["rss_delta_mb"] <= 250,
        "speed_ge_2x_default": ratios["speed"] >= 2.0,
        "pku_f1_within_1.5_points": ratios["pku_f1_points"] >= -1.5,
        "domain_f1_ge_0.97": o["domain_f1_vs_teacher"] >= 0.97,
    }
    report = {
        "texts": {k: {"lines": len(v), "chars": sum(len(t) for t in v)} for k, v in sets.items()},
        "machine": {"python": sys.version.split()[0], "cpu_count": os.cpu_count(),
                    "loadavg_1_5_15_before": [round(x, 2) for x in load_before],
                    "loadavg_1_5_15_after": [round(x, 2) for x in os.getloadavg()]},
        "ours": {k: rel(v) if k in ("model", "user_dict") else v for k, v in ours.items()},
        "teacher": rel(teacher),
        "results": results, "ratios_vs_default": ratios, "targets_met": targets,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")

    cols = ["pku_f1", "msr_f1", "domain_f1_vs_teacher", "load_s", "rss_delta_mb", "chars_per_s"]
    print(f"{'segmenter':<14}" + "".join(f"{c:>22}" for c in cols))
    for name, r in results.items():
        cells = []
        for c in cols:
            v = r[c]
            cells.append(f"{v:>22.4f}" if c.endswith("f1") or c.endswith("teacher") else f"{v:>22.1f}"
                         if c != "load_s" else f"{v:>22.2f}")
        print(f"{name:<14}" + "".join(cells))
    print("ours vs default: " + ", ".join(f"{k} {v:.2f}" for k, v in ratios.items()))
    print("model bytes: ours {:,} default {:,}".format(o["model_bytes"], d["model_bytes"]))
    print("targets: " + ", ".join(f"{k}={'MET' if v else 'MISSED'}" for k, v in targets.items()))
    print(f"JSON: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
