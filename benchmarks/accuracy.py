"""Cross-validated accuracy of campaignnlp's heads against baselines, on the same folds.

    python benchmarks/accuracy.py [--folds 5] [--systems ours,lr,bow,ensemble] [--shared DIR]
                                  [--limit-docs N] [--out-dir DIR]

Data: every annotated document, the codebook gold (``<shared>/gold/*.jsonl``) plus the
standoff batches (``training/annotations/batch*.jsonl``, texts joined from
``<shared>/corpus/xwlb_campaign.jsonl`` and ``xwlb_all.jsonl.gz``). Evaluation is on the gold sentence units.

Document-level K-fold cross-validation (``campaignnlp.evaluation.cross_validate``: KFold over
documents, shuffled, seed 0), the same folds for every system. Scores are those of the pooled
out-of-fold predictions (every sentence predicted once, by the model that did not see its
document); per-fold figures are in the JSON.

Systems
  ours      campaignnlp's stage and methods heads over sentence + context records
            (``campaignnlp.evaluation.heads_fit_predict()``, default parameters)
  lr        sentence-only char 1-3-gram TF-IDF (sublinear tf) + one-vs-rest logistic regression
            (liblinear, dual, class_weight balanced, C=1); stage = argmax, methods = p >= 0.5
  bow       spaCy ``textcat`` (exclusive) + ``textcat_multilabel``, ``spacy.TextCatBOW.v3``,
            over the shipped tokenizer's words; methods = p >= 0.5
  ensemble  spaCy ``textcat`` + ``textcat_multilabel``, ``spacy.TextCatEnsemble.v2``
            (``spacy.HashEmbedCNN.v2`` tok2vec + the same BOW linear model)

The spaCy systems see the span text alone, tokenised once (cached across folds) by the
shipped pipeline's tokenizer, or, before the pipeline is built, by a blank ``zh`` pipeline with
``campaignnlp.ChineseTokenizer.v1`` and the compact pkuseg model of
``training/segmenter/build/pkuseg_model``. Each is trained with ``nlp.update`` for a fixed
number of epochs (shuffled minibatches of 32, dropout 0.2, spaCy's default Adam): 10 for
BOW, 5 for the ensemble (HashEmbedCNN width 64), which costs about five times more per epoch
and would not fit a ~45-minute single-core budget at 10. Stage and methods are two separate
pipelines. Examples are built once per document and reused across folds. Settings are in the
JSON.

Writes ``<out-dir>/accuracy.json`` (all scores incl. per-label, per-fold, settings, versions)
and ``<out-dir>/accuracy.md`` (the table); prints the table. Runs on one core: set
``OMP_NUM_THREADS=1`` etc. (done here unless already set) and run it under ``nice``.
"""
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from importlib import metadata  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO.parent / "shared" / "data"
PKUSEG_MODEL = REPO / "training" / "segmenter" / "build" / "pkuseg_model"
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

SYSTEMS = {
    "ours": "campaignnlp (ours)",
    "lr": "sentence-only char n-gram LR",
    "bow": "spaCy textcat BOW",
    "ensemble": "spaCy textcat ensemble",
}

LR_SETTINGS = {
    "vectorizer": {"analyzer": "char", "ngram_range": [1, 3], "sublinear_tf": True},
    "classifier": {"estimator": "OneVsRestClassifier(LogisticRegression)", "C": 1.0,
                   "class_weight": "balanced", "solver": "liblinear", "dual": True},
    "stage_decision": "argmax of predict_proba",
    "methods_threshold": 0.5,
}

BOW_MODEL = {"@architectures": "spacy.TextCatBOW.v3", "ngram_size": 1, "no_output_layer": False,
             "length": 262144, "nO": None}
TOK2VEC_MODEL = {"@architectures": "spacy.HashEmbedCNN.v2", "pretrained_vectors": None,
                 "width": 64, "depth": 2, "embed_size": 2000, "window_size": 1,
                 "maxout_pieces": 3, "subword_features": True}


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# data

def load_docs(shared: Path, limit: int | None, seed: int):
    from campaignnlp.corpus import read_annotations, read_standoff

    gold = read_annotations(sorted((shared / "gold").glob("*.jsonl")))
    files = sorted((REPO / "training" / "annotations").glob("batch*.jsonl"),
                   key=lambda p: int(p.stem.removeprefix("batch")))
    batches = read_standoff(files, [shared / "corpus" / "xwlb_campaign.jsonl",
                                    shared / "corpus" / "xwlb_all.jsonl.gz"])
    docs = gold + batches
    info = {"gold_docs": len(gold), "gold_sentences": sum(len(d.spans) for d in gold),
            "batch_docs": len(batches), "batch_sentences": sum(len(d.spans) for d in batches)}
    if limit and limit < len(docs):
        keep = sorted(random.Random(seed).sample(range(len(docs)), limit))
        docs = [docs[i] for i in keep]
        info["limited_to_docs"] = limit
    ids = [d.id for d in docs]
    if len(set(ids)) != len(ids):
        raise SystemExit("duplicate document ids across gold and batches")
    info["docs"] = len(docs)
    info["sentences"] = sum(len(d.spans) for d in docs)
    return docs, info


def span_texts(doc) -> list[str]:
    return [doc.text[s["start"]:s["end"]] for s in doc.spans]


def labels_of(docs):
    stages = [s["stage"] for d in docs for s in d.spans]
    methods = [list(s["methods"]) for d in docs for s in d.spans]
    return stages, methods


# --------------------------------------------------------------------------------------------
# system 2: sentence-only char n-gram logistic regression

def lr_fit_predict(train, test):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.preprocessing import MultiLabelBinarizer

    def clf():
        return OneVsRestClassifier(LogisticRegression(C=1.0, class_weight="balanced",
                                                      solver="liblinear", dual=True))

    X_text = [t for d in train for t in span_texts(d)]
    T_text = [t for d in test for t in span_texts(d)]
    ys, ym = labels_of(train)
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
    X = vec.fit_transform(X_text)
    T = vec.transform(T_text)
    stage = clf().fit(X, ys)
    pred_s = list(stage.classes_[stage.predict_proba(T).argmax(axis=1)])
    mlb = MultiLabelBinarizer()
    Y = mlb.fit_transform(ym)
    methods = clf().fit(X, Y)
    P = methods.predict_proba(T)
    pred_m = [[lab for lab, p in zip(mlb.classes_, row) if p >= 0.5] for row in P]
    return pred_s, pred_m


# --------------------------------------------------------------------------------------------
# systems 3 and 4: spaCy's textcat / textcat_multilabel

class DocCache:
    """Each span text tokenised once by the shipped tokenizer; Docs reused across folds."""

    def __init__(self):
        import spacy

        import campaignnlp

        try:
            path = campaignnlp.default_model_path()
            self.nlp = spacy.load(path, exclude=["campaign_tagger", "campaign_senter"])
            self.source = f"shipped pipeline tokenizer ({path.name})"
        except FileNotFoundError:
            self.nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {
                "@tokenizers": "campaignnlp.ChineseTokenizer.v1"}}})
            self.nlp.tokenizer.initialize(pkuseg_model=str(PKUSEG_MODEL))
            self.source = ("blank zh + campaignnlp.ChineseTokenizer.v1 with "
                           "training/segmenter/build/pkuseg_model (shipped pipeline not built yet)")
        self.docs: dict[str, list] = {}
        self.seconds = 0.0

    def get(self, docs) -> list:
        out = []
        for d in docs:
            if d.id not in self.docs:
                t = time.perf_counter()
                self.docs[d.id] = [self.nlp.make_doc(x) for x in span_texts(d)]
                self.seconds += time.perf_counter() - t
            out.extend(self.docs[d.id])
        return out


def _textcat_pipeline(vocab, kind: str, exclusive: bool):
    import spacy

    linear = dict(BOW_MODEL, exclusive_classes=exclusive)
    if kind == "bow":
        model = linear
    else:
        model = {"@architectures": "spacy.TextCatEnsemble.v2", "nO": None,
                 "linear_model": linear, "tok2vec": dict(TOK2VEC_MODEL)}
    nlp = spacy.blank("zh", vocab=vocab)  # its own tokenizer is never used: Docs are cached
    factory = "textcat" if exclusive else "textcat_multilabel"
    pipe = nlp.add_pipe(factory, config={"model": model, "threshold": 0.5})
    return nlp, pipe


def _train(nlp, pipe, examples, labels, epochs: int, batch_size: int, dropout: float, seed: int):
    from spacy.util import fix_random_seed, minibatch

    fix_random_seed(seed)
    for lab in labels:
        pipe.add_label(lab)
    optimizer = nlp.initialize(lambda: examples)
    rng = random.Random(seed)
    order = list(examples)
    for _ in range(epochs):
        rng.shuffle(order)
        losses: dict = {}
        for batch in minibatch(order, size=batch_size):
            nlp.update(batch, sgd=optimizer, drop=dropout, losses=losses)
    return pipe


def _scores(pipe, docs, batch_size: int = 512) -> np.ndarray:
    out = []
    for i in range(0, len(docs), batch_size):
        out.append(np.asarray(pipe.model.ops.to_numpy(pipe.predict(docs[i:i + batch_size]))))
    return np.concatenate(out) if out else np.zeros((0, len(pipe.labels)))


def spacy_fit_predict(kind: str, cache: DocCache, settings: dict, seed: int):
    from spacy.training import Example

    made: dict = {}  # Examples are built once per (document, task, label set), across folds

    def examples(docs, task, labels, gold):
        out, i = [], 0
        Xd = cache.get(docs)
        for d in docs:
            key = (d.id, task, tuple(labels))
            n = len(d.spans)
            if key not in made:
                cats = [{lab: float(lab == g if task == "stage" else lab in g) for lab in labels}
                        for g in gold[i:i + n]]
                made[key] = [Example.from_dict(doc, {"cats": c})
                             for doc, c in zip(Xd[i:i + n], cats)]
            out.extend(made[key])
            i += n
        return out

    def fit_predict(train, test):
        T = cache.get(test)
        ys, ym = labels_of(train)
        stage_labels = sorted(set(ys))
        method_labels = sorted({m for ms in ym for m in ms})
        epochs = settings["epochs"]
        # stage: exclusive textcat
        nlp_s, tc = _textcat_pipeline(cache.nlp.vocab, kind, exclusive=True)
        ex_s = examples(train, "stage", stage_labels, ys)
        _train(nlp_s, tc, ex_s, stage_labels, epochs, settings["batch_size"],
               settings["dropout"], seed)
        S = _scores(tc, T)
        labs = list(tc.labels)
        pred_s = [labs[i] for i in S.argmax(axis=1)]
        # methods: textcat_multilabel
        nlp_m, tm = _textcat_pipeline(cache.nlp.vocab, kind, exclusive=False)
        ex_m = examples(train, "methods", method_labels, ym)
        _train(nlp_m, tm, ex_m, method_labels, epochs, settings["batch_size"],
               settings["dropout"], seed)
        M = _scores(tm, T)
        labs = list(tm.labels)
        pred_m = [[labs[j] for j in range(len(labs)) if row[j] >= 0.5] for row in M]
        return pred_s, pred_m

    return fit_predict


# --------------------------------------------------------------------------------------------

def timed(fit_predict, times: list[float]):
    def wrapper(train, test):
        t = time.perf_counter()
        out = fit_predict(train, test)
        times.append(time.perf_counter() - t)
        return out

    return wrapper


def versions() -> dict:
    out = {"python": platform.python_version(), "platform": platform.platform()}
    for pkg in ("campaignnlp", "spacy", "thinc", "spacy-pkuseg", "scikit-learn", "numpy"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = None
    if out.get("campaignnlp") is None:
        import campaignnlp

        out["campaignnlp"] = f"{campaignnlp.__version__} (source tree)"
    return out


def table(results: dict, k: int) -> str:
    rows = ["| System | Stage accuracy | Stage macro-F1 | Methods micro-F1 | Methods macro-F1 "
            "| Train+predict time / fold |",
            "|---|---:|---:|---:|---:|---:|"]
    for key, r in results.items():
        rows.append(f"| {r['name']} | {r['stage']['accuracy']:.3f} | {r['stage']['macro_f1']:.3f} "
                    f"| {r['methods']['micro_f1']:.3f} | {r['methods']['macro_f1']:.3f} "
                    f"| {np.mean(r['fold_seconds']):.0f} s |")
    return "\n".join(rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--systems", default="ours,lr,bow,ensemble")
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    ap.add_argument("--limit-docs", type=int, default=None, help="random subset, for quick runs")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--bow-epochs", type=int, default=10)
    ap.add_argument("--ensemble-epochs", type=int, default=5,
                    help="fewer than BOW's: the CNN costs ~5x more per epoch on one CPU core")
    ap.add_argument("--ensemble-width", type=int, default=64)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--dropout", type=float, default=0.2)
    ap.add_argument("--out-dir", type=Path, default=REPO / "benchmarks" / "results")
    args = ap.parse_args(argv)

    TOK2VEC_MODEL["width"] = args.ensemble_width
    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = [s for s in systems if s not in SYSTEMS]
    if unknown:
        ap.error(f"unknown system(s) {unknown}; choose from {list(SYSTEMS)}")

    from campaignnlp.corpus import data_hash
    from campaignnlp.evaluation import cross_validate, heads_fit_predict

    started = time.perf_counter()
    docs, data_info = load_docs(args.shared, args.limit_docs, args.seed)
    data_info["sha256"] = data_hash(docs)
    log(f"{data_info['docs']} documents, {data_info['sentences']} sentences; "
        f"{args.folds}-fold CV by document, seed {args.seed}")

    settings: dict = {"folds": args.folds, "seed": args.seed, "fold_unit": "document",
                      "scores": "pooled out-of-fold predictions on gold sentence spans",
                      "threads": os.environ.get("OMP_NUM_THREADS")}
    cache = None
    results: dict = {}
    for key in systems:
        times: list[float] = []
        if key == "ours":
            fp = heads_fit_predict()
            settings["ours"] = {"fit_predict": "campaignnlp.evaluation.heads_fit_predict()",
                                "params": "StageHead() and MethodsHead() defaults"}
        elif key == "lr":
            fp = lr_fit_predict
            settings["lr"] = LR_SETTINGS
        else:
            if cache is None:
                cache = DocCache()
                log(f"tokenising with {cache.source}")
                cache.get(docs)
                log(f"tokenised {data_info['sentences']} spans in {cache.seconds:.0f} s")
                settings["spacy_tokenizer"] = cache.source
                settings["spacy_tokenize_seconds"] = round(cache.seconds, 1)
            linear = dict(BOW_MODEL, exclusive_classes="true for textcat, false for multilabel")
            model = (linear if key == "bow" else
                     {"@architectures": "spacy.TextCatEnsemble.v2", "linear_model": linear,
                      "tok2vec": TOK2VEC_MODEL})
            st = {"epochs": args.bow_epochs if key == "bow" else args.ensemble_epochs,
                  "batch_size": args.batch_size, "dropout": args.dropout,
                  "optimizer": "spaCy default (Adam, lr 0.001)",
                  "components": "textcat (stage) and textcat_multilabel (methods), "
                                "separate pipelines",
                  "model": model, "stage_decision": "argmax", "methods_threshold": 0.5,
                  "input": "span text only, cached Docs from the tokenizer"}
            settings[key] = st
            fp = spacy_fit_predict(key, cache, st, args.seed)
        log(f"== {SYSTEMS[key]}")
        res = cross_validate(docs, timed(fp, times), k=args.folds, seed=args.seed,
                             progress=lambda m, t=times: log(f"  {m} ({t[-1]:.0f} s)"))
        res["name"] = SYSTEMS[key]
        res["fold_seconds"] = [round(t, 1) for t in times]
        results[key] = res
        log(f"  pooled: stage acc {res['stage']['accuracy']:.3f}, macro-F1 "
            f"{res['stage']['macro_f1']:.3f}; methods micro-F1 {res['methods']['micro_f1']:.3f}, "
            f"macro-F1 {res['methods']['macro_f1']:.3f}")

    total = time.perf_counter() - started
    md = table(results, args.folds)
    note = (f"\n\n{data_info['docs']} documents, {data_info['sentences']} gold sentences; "
            f"{args.folds}-fold cross-validation by document (seed {args.seed}), the same folds "
            f"for every system; scores of the pooled out-of-fold predictions. Time: wall "
            f"seconds per fold on one CPU core (spaCy systems: excluding the one-off "
            f"tokenisation, {settings.get('spacy_tokenize_seconds', 0)} s). "
            f"spaCy settings: BOW {args.bow_epochs} epochs; ensemble {args.ensemble_epochs} "
            f"epochs, HashEmbedCNN width {args.ensemble_width}; minibatch {args.batch_size}, "
            f"dropout {args.dropout}, threshold 0.5 for methods. "
            f"Total run {total / 60:.1f} min.\n")
    print(md)
    out = {"data": data_info, "settings": settings, "versions": versions(),
           "total_seconds": round(total, 1), "results": results, "table": md}
    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / "accuracy.json").write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n",
                                                encoding="utf-8")
    (args.out_dir / "accuracy.md").write_text(md + note, encoding="utf-8")
    log(f"wrote {args.out_dir / 'accuracy.json'} and accuracy.md; total {total / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
