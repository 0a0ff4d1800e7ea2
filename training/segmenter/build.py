"""Rebuild the compact campaign-domain pkuseg model from scratch.

    python training/segmenter/build.py --out training/segmenter/build

Steps (each logged with its time):
  1. teacher: pkuseg's `default` model from the pkuseg==0.0.25 sdist on PyPI (downloaded and
     unpacked into OUT/teacher unless present, or given with --teacher DIR);
  2. dictionary: the reviewed campaign vocabulary `user_dict.txt`; candidate terms for its
     review are regenerated into OUT/dict_candidates.tsv;
  3. silver: the teacher plus the dictionary segments the campaign corpus (held-out documents
     excluded) and a diverse slice of all news;
  4. data: silver + gold SIGHAN-2008 SXU training data, approximate numbers joined (140多);
  5. train: spacy_pkuseg.train with rare features trimmed;
  6. prune: drop the training-only word-pair list, word features of words longer than 2
     characters, unused words and the weakest features until the model fits --max-mb;
  7. measure: F1 on SIGHAN-2005 PKU/MSR test gold and against the teacher on held-out
     campaign documents -> OUT/metrics.json.

Everything written goes under OUT (git-ignored): silver data contains third-party text.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
import metrics  # noqa: E402
import prune  # noqa: E402
from campaignnlp.tokenizer import limit_word_features  # noqa: E402
import vocab  # noqa: E402

PKUSEG_SDIST = "pkuseg==0.0.25"
TEACHER_SUBDIR = Path("pkuseg-0.0.25") / "pkuseg" / "models" / "default"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def default_shared() -> Path:
    return REPO.parent / "shared"


def default_teacher(out: Path) -> Path:
    return out / "teacher" / TEACHER_SUBDIR


def fetch_teacher(out: Path) -> Path:
    """Download the pkuseg sdist (it carries the `default` model) and unpack it."""
    target = default_teacher(out)
    if (target / "weights.npz").exists():
        log(f"teacher present: {target}")
        return target
    dl = out / "teacher"
    dl.mkdir(parents=True, exist_ok=True)
    log(f"downloading {PKUSEG_SDIST} sdist from PyPI into {dl}")
    # --no-build-isolation needs wheel, numpy and cython installed (it only prepares metadata)
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                    "--no-build-isolation", PKUSEG_SDIST, "-d", str(dl)], check=True)
    tarball = next(dl.glob("pkuseg-0.0.25.tar.gz"))
    with tarfile.open(tarball) as tf:
        members = [m for m in tf.getmembers() if m.name.startswith(str(TEACHER_SUBDIR))]
        tf.extractall(dl, members=members)
    return target


def load_segmenter(model_dir: Path, user_dict: Path | None):
    import spacy_pkuseg

    with contextlib.redirect_stderr(open(os.devnull, "w")):  # "features.msgpack missing" warnings
        return spacy_pkuseg.pkuseg(str(model_dir), user_dict=str(user_dict) if user_dict else "default")


def silver(seg, docs, path: Path) -> int:
    lines = (corpus.join_approx_numbers(seg.cut(s)) for d in docs for s in corpus.sentences(d["text"]))
    return corpus.write_segmented(lines, path)


def evaluate(seg, gold_lines, max_lines=None) -> dict:
    gold = gold_lines[:max_lines] if max_lines else gold_lines
    pred = [seg.cut("".join(g)) for g in gold]
    return metrics.word_prf(gold, pred)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=HERE / "build")
    ap.add_argument("--shared", type=Path, default=default_shared())
    ap.add_argument("--teacher", type=Path, default=None, help="directory of the default model")
    ap.add_argument("--user-dict", type=Path, default=vocab.USER_DICT)
    ap.add_argument("--news-chars", type=int, default=3_000_000,
                    help="characters of general news to segment as silver data")
    ap.add_argument("--sxu-lines", type=int, default=0, help="limit SXU training lines (0 = all)")
    ap.add_argument("--iters", type=int, default=2, help="training iterations (the shipped model: 2)")
    ap.add_argument("--feature-trim", type=int, default=2, help="keep features seen more than N times")
    ap.add_argument("--max-mb", type=float, default=12.0, help="budget for the model files (MB)")
    ap.add_argument("--max-word-len", type=int, default=2,
                    help="drop word features of longer words (enables campaignnlp.tokenizer.limit_word_features)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--reuse-silver", action="store_true", help="reuse OUT/data silver files if present")
    ap.add_argument("--skip-train", action="store_true", help="reuse OUT/full_model and the silver data")
    args = ap.parse_args(argv)

    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    shared: Path = args.shared.resolve()
    t_start = time.time()
    timings = {}

    # 1. teacher
    t0 = time.time()
    teacher_dir = args.teacher.resolve() if args.teacher else fetch_teacher(out)
    teacher = load_segmenter(teacher_dir, args.user_dict)
    timings["teacher"] = time.time() - t0
    log(f"teacher loaded from {teacher_dir}")

    # 2. dictionary candidates (evidence for reviewing user_dict.txt)
    t0 = time.time()
    bare_teacher_cut = load_segmenter(teacher_dir, None).cut
    n_cand = vocab.write_candidates(shared, bare_teacher_cut, out / "dict_candidates.tsv")
    del bare_teacher_cut
    shutil.copy(args.user_dict, out / "user_dict.txt")
    timings["dictionary"] = time.time() - t0
    log(f"{n_cand} dictionary candidates -> dict_candidates.tsv; user dict: "
        f"{len(vocab.read_user_dict(args.user_dict))} reviewed terms")

    # 3. silver data
    data = out / "data"
    data.mkdir(exist_ok=True)
    train_docs = corpus.campaign_docs(shared, heldout=False)
    heldout_docs = corpus.campaign_docs(shared, heldout=True)
    campaign_ids = {d["id"] for d in train_docs + heldout_docs}
    t0 = time.time()
    silver_files = [data / f for f in ("silver_campaign.txt", "teacher_heldout.txt", "silver_news.txt")]
    if (args.skip_train or args.reuse_silver) and all(f.exists() for f in silver_files):
        n_camp, n_held, n_news = (sum(len(w) for ws in corpus.read_segmented(f) for w in ws) for f in silver_files)
        log("silver data present: reused")
    else:
        n_camp = silver(teacher, train_docs, data / "silver_campaign.txt")
        n_held = silver(teacher, heldout_docs, data / "teacher_heldout.txt")
        news = corpus.news_sample(shared, args.news_chars, exclude_ids=campaign_ids)
        n_news = silver(teacher, news, data / "silver_news.txt")
        log(f"silver: campaign {len(train_docs)} docs {n_camp} chars; news {len(news)} docs {n_news} chars; "
            f"held-out reference {len(heldout_docs)} docs {n_held} chars")
    timings["silver"] = time.time() - t0
    del teacher

    # 4. training data: gold SXU + silver
    sxu = list(corpus.read_segmented(shared / "data" / "cws" / "sxu.train.txt"))
    if args.sxu_lines:
        sxu = sxu[: args.sxu_lines]
    n_sxu = corpus.write_segmented((corpus.join_approx_numbers(w) for w in sxu), data / "sxu_train.txt")
    train_file = data / "train.txt"
    with open(train_file, "w", encoding="utf-8") as f:
        for part in ("sxu_train.txt", "silver_campaign.txt", "silver_news.txt"):
            for words in corpus.read_segmented(data / part):  # (re)apply the number rule
                f.write(" ".join(corpus.join_approx_numbers(words)) + "\n")
    heldout_ref = [corpus.join_approx_numbers(w) for w in corpus.read_segmented(data / "teacher_heldout.txt")]
    dev_file = data / "dev.txt"
    corpus.write_segmented(heldout_ref[:300], dev_file)
    n_train = n_sxu + n_camp + n_news
    log(f"training data: {n_train} chars (SXU gold {n_sxu}, silver {n_camp + n_news})")

    # 5. train
    full_model = out / "full_model"
    if not args.skip_train:
        import spacy_pkuseg
        from spacy_pkuseg.config import config as pk_config

        t0 = time.time()
        pk_config.featureTrim = args.feature_trim
        random.seed(args.seed)  # ADF shuffles the training sentences with `random`
        np.random.seed(args.seed)
        if full_model.exists():
            shutil.rmtree(full_model)
        with open(out / "train.log", "w") as logf, contextlib.redirect_stdout(logf):
            spacy_pkuseg.train(str(train_file), str(dev_file), str(full_model), train_iter=args.iters)
        timings["train"] = time.time() - t0
        log(f"trained {args.iters} iterations in {timings['train']:.0f}s (log: train.log)")

    # 6. prune
    t0 = time.time()
    model_dir = out / "pkuseg_model"
    if model_dir.exists():
        shutil.rmtree(model_dir)
    prune_info = prune.prune(full_model, model_dir, int(args.max_mb * 1024 * 1024),
                             max_word_len=args.max_word_len)
    timings["prune"] = time.time() - t0
    log(f"pruned: {prune_info}")

    # 7. measure
    t0 = time.time()
    results = {}
    pku_gold, _ = metrics.read_gold(shared / "data" / "cws" / "pku_test_gold.utf8")
    msr_gold, _ = metrics.read_gold(shared / "data" / "cws" / "msr_test_gold.utf8")
    for name, mdir in (("full", full_model), ("pruned", model_dir)):
        seg = load_segmenter(mdir, args.user_dict)
        if name == "pruned":
            limit_word_features(seg, args.max_word_len)
        results[name] = {
            "pku_test": evaluate(seg, pku_gold),
            "msr_test": evaluate(seg, msr_gold),
            "heldout_vs_teacher": evaluate(seg, heldout_ref),
        }
        log(f"{name}: " + ", ".join(f"{k} F1={v['f1']:.4f}" for k, v in results[name].items()))
        del seg
    timings["measure"] = time.time() - t0
    timings["total"] = time.time() - t_start

    report = {
        "command": "python training/segmenter/build.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "teacher": str(teacher_dir),
        "user_dict_terms": len(vocab.read_user_dict(args.user_dict)),
        "training_chars": {"sxu_gold": n_sxu, "silver_campaign": n_camp, "silver_news": n_news},
        "heldout": {"docs": len(heldout_docs), "chars": n_held, "rule": "md5(id) % 5 == 0"},
        "settings": {"iters": args.iters, "feature_trim": args.feature_trim, "max_mb": args.max_mb,
                     "max_word_len": args.max_word_len, "news_chars": args.news_chars},
        "prune": prune_info,
        "model_files_bytes": {f: (model_dir / f).stat().st_size for f in ("features.msgpack", "weights.npz")},
        "scores": results,
        "seconds": {k: round(v, 1) for k, v in timings.items()},
    }
    (out / "metrics.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    log(f"done in {timings['total']:.0f}s -> {model_dir} ({prune_info['bytes'] / 1e6:.1f} MB), metrics.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
