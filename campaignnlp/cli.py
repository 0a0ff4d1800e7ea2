"""The ``campaignnlp`` command line: a thin layer over the library.

    campaignnlp tag INPUT... -o OUT.jsonl|OUT.csv|OUT.parquet|DIR [--resume] [--n-process N]
    campaignnlp train --train FILE... [--dev FILE] -o DIR
    campaignnlp evaluate MODEL DATA [--json]
    campaignnlp evaluate --cv 5 DATA [--plots DIR]
    campaignnlp convert IN OUT --to FORMAT [--from FORMAT]
    campaignnlp export CORPUS --to FORMAT -o OUT [--model DIR]
    campaignnlp suggest CORPUS -n 200 --to FORMAT -o OUT [--model DIR]
    campaignnlp review DATA -o flags.jsonl [--cv 5] [--to FORMAT]
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer

from .batch import BATCH_SIZE, WORKER_BATCH_SIZE

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Tag Chinese party campaign reports by campaign stage and method.")


def _err(msg: str) -> None:
    typer.echo(msg, err=True)


def _read_gold(paths: List[Path], standoff_corpus: Optional[List[Path]] = None,
               stages=None, methods=None, fmt: Optional[str] = None):
    """Annotations in any format of :mod:`campaignnlp.formats` (detected per file unless
    ``fmt``); standoff files (no text) are joined to ``standoff_corpus``. Spans off sentence
    boundaries are aligned, each with a warning on stderr."""
    import warnings

    from .formats import read_documents

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        docs = read_documents(paths, fmt=fmt, stages=stages, methods=methods, corpus=standoff_corpus)
    for w in caught:
        _err(f"warning: {w.message}")
    return docs


def _check_format(value: Optional[str]) -> Optional[str]:
    from .formats import FORMATS

    if value is not None and value not in FORMATS:
        raise typer.BadParameter(f"{value!r} is not a format; choose one of {', '.join(FORMATS)}")
    return value


@app.command()
def tag(
    inputs: List[Path] = typer.Argument(..., help=".txt files, directories, glob patterns, .jsonl, "
                                        ".csv, .parquet (.gz for txt/jsonl/csv), datasets directories"),
    output: Path = typer.Option(..., "-o", "--output",
                                help="out.jsonl | out.csv | out.parquet, or a directory of part files"),
    fmt: Optional[str] = typer.Option(None, "--format", help="jsonl, csv or parquet (default: from -o)"),
    model: Optional[Path] = typer.Option(None, "--model", help="pipeline directory (default: shipped)"),
    batch_size: Optional[int] = typer.Option(
        None, "--batch-size", min=1,
        help=f"texts per nlp.pipe batch [default: {BATCH_SIZE}; {WORKER_BATCH_SIZE} per batch sent to "
             "workers with --n-process > 1]"),
    n_process: int = typer.Option(1, "--n-process", min=1, help="worker processes"),
    chunk_size: int = typer.Option(500, "--chunk-size", min=1,
                                   help="documents per chunk written to disk (the unit of resume)"),
    id_field: str = typer.Option("id", "--id-field", help="id key/column of .jsonl/.csv/.parquet/datasets"),
    text_field: str = typer.Option("text", "--text-field", help="text key/column"),
    resume: bool = typer.Option(False, "--resume", help="skip documents already in the output"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress, no summary"),
    progress_every: float = typer.Option(10.0, "--progress-every",
                                         help="seconds between progress lines when not on a terminal"),
):
    """Tag every sentence of the inputs: JSONL (a line per document), CSV or Parquet (a row per
    sentence). Exit status 1 if any document failed."""
    from . import load
    from .batch import Progress, tag_to_sink
    from .corpus import count_documents, iter_documents
    from .sinks import ChunkSink, OutputError

    try:  # before loading the model: a bad output is reported at once
        sink = ChunkSink(output, fmt, resume=resume)
    except (OutputError, OSError) as e:
        _err(f"error: {e}")
        raise typer.Exit(2)
    nlp = load(model)
    tagger = nlp.get_pipe("campaign_tagger") if "campaign_tagger" in nlp.pipe_names else None
    sink.labels = (tagger.stage_labels, tagger.method_labels) if tagger is not None else None
    done = sink.done_ids() if resume else set()
    total = None if quiet else count_documents(inputs)
    progress = Progress(total=None if total is None else max(total - len(done), 0), quiet=quiet,
                        interval=progress_every)
    try:
        stats = tag_to_sink(nlp, iter_documents(inputs, id_field=id_field, text_field=text_field),
                            sink, chunk_size=chunk_size, batch_size=batch_size, n_process=n_process,
                            skip_ids=done, progress=progress)
    except KeyboardInterrupt:
        progress.close()
        _err(f"interrupted: the chunks written so far are in {sink.parts_dir}; "
             "run the same command with --resume to go on")
        raise typer.Exit(130)
    progress.close()
    written = sink.close()
    if not quiet:
        _err(f"tagged {stats['documents'] - stats['failed']} documents ({stats['sentences']} "
             f"sentences) -> {written}; {stats['failed']} failed; {stats['skipped']} skipped "
             f"(already in the output); {stats['seconds']:.1f} s, {stats['chars_per_s']:,.0f} chars/s")
    raise typer.Exit(1 if stats["failed"] else 0)


@app.command()
def train(
    train_files: List[Path] = typer.Option(..., "--train", help="annotations (any format, or standoff)"),
    output: Path = typer.Option(..., "-o", "--output", help="pipeline directory to write"),
    dev: Optional[List[Path]] = typer.Option(None, "--dev", help="held-out annotations to score"),
    base: Optional[Path] = typer.Option(None, "--base", help="pipeline whose tokenizer to keep (default: shipped)"),
    corpus: Optional[List[Path]] = typer.Option(None, "--corpus", help="texts for standoff annotations"),
    codebook_labels: bool = typer.Option(False, "--codebook-labels",
                                         help="reject labels outside the codebook"),
    pkuseg_model: Optional[Path] = typer.Option(None, "--pkuseg-model",
                                                help="build a new tokenizer from this pkuseg model dir"),
    pkuseg_user_dict: Optional[Path] = typer.Option(None, "--pkuseg-user-dict",
                                                    help="user dictionary for --pkuseg-model"),
    cv: int = typer.Option(0, "--cv", help="also cross-validate (K folds by document) into the manifest"),
    from_fmt: Optional[str] = typer.Option(None, "--from", callback=_check_format,
                                           help="annotation format (default: detected per file)"),
    train_only: Optional[List[Path]] = typer.Option(
        None, "--train-only", help="annotations trained on but never scored by --cv (say, negatives)"),
):
    """Train the stage and methods heads on annotations (codebook, Label Studio, doccano,
    Prodigy or standoff); write a pipeline directory. The model learns from --train and
    --train-only alike; --cv scores only the --train documents."""
    from . import training
    from .corpus import AnnotationError
    from .labels import METHODS, STAGES

    try:
        allowed = (list(STAGES), list(METHODS)) if codebook_labels else (None, None)
        docs = _read_gold(train_files, corpus, *allowed, fmt=from_fmt)
        extra_docs = _read_gold(train_only, corpus, *allowed, fmt=from_fmt) if train_only else []
        dev_docs = _read_gold(dev, corpus, *allowed, fmt=from_fmt) if dev else None
        if cv:  # before the long fit: a clash of ids or a bad k fails now
            from .evaluation import check_cv_split
            check_cv_split(docs, cv, extra_docs)
    except (AnnotationError, OSError, ValueError) as e:
        _err(f"error: {e}")
        raise typer.Exit(2)
    if pkuseg_model is not None:
        base = training.blank_pipeline(pkuseg_model, pkuseg_user_dict)
    nlp = training.train(docs + extra_docs, base=base, dev_docs=dev_docs, log=_err)
    extra = {}
    if cv:
        from .evaluation import cross_validate, heads_fit_predict
        extra["cross_validation"] = cross_validate(docs, heads_fit_predict(), k=cv, progress=_err,
                                                   train_only=extra_docs)
        _err(f"{cv}-fold CV: stage macro-F1 {extra['cross_validation']['stage']['macro_f1']:.3f}, "
             f"methods micro-F1 {extra['cross_validation']['methods']['micro_f1']:.3f}")
    training.save(nlp, output, extra_metrics=extra)
    metrics = nlp.get_pipe("campaign_tagger").meta["metrics"]
    for split, m in metrics.items():
        _err(f"{split}: stage accuracy {m['stage']['accuracy']:.3f}, macro-F1 {m['stage']['macro_f1']:.3f}; "
             f"methods micro-F1 {m['methods']['micro_f1']:.3f}, macro-F1 {m['methods']['macro_f1']:.3f}")
    _err(f"saved {output}")


@app.command()
def evaluate(
    model_or_data: List[Path] = typer.Argument(..., help="MODEL DATA..., or DATA... with --cv"),
    cv: int = typer.Option(0, "--cv", help="K-fold cross-validation by document instead of a model"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
    corpus: Optional[List[Path]] = typer.Option(None, "--corpus", help="texts for standoff annotations"),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="also write the JSON here"),
    from_fmt: Optional[str] = typer.Option(None, "--from", callback=_check_format,
                                           help="annotation format (default: detected per file)"),
    learning_curve: bool = typer.Option(True, "--learning-curve/--no-learning-curve",
                                        help="with --cv: refit on fractions of each training fold"),
    fractions: str = typer.Option("0.1,0.25,0.5,0.75,1.0", "--fractions",
                                  help="learning-curve fractions of each training fold"),
    plots: Optional[Path] = typer.Option(None, "--plots",
                                         help="write confusion.png (and learning_curve.png) here"),
    seed: int = typer.Option(0, "--seed", help="fold and subsample seed"),
    train_only: Optional[List[Path]] = typer.Option(
        None, "--train-only", help="with --cv: annotations added to every training fold, never scored"),
):
    """Score a pipeline on gold data, or cross-validate the heads on it (--cv K) with a
    learning curve; JSON with --json / -o, PNG plots with --plots."""
    from . import load
    from .corpus import AnnotationError
    from .evaluation import cross_validate, evaluate_tagger, heads_fit_predict

    try:
        curve = [float(x) for x in fractions.split(",") if x.strip()] if cv and learning_curve else None
    except ValueError:
        raise typer.BadParameter(f"--fractions: expected numbers separated by commas, got {fractions!r}")
    try:
        if cv:
            docs = _read_gold(model_or_data, corpus, fmt=from_fmt)
            extra = _read_gold(train_only, corpus, fmt=from_fmt) if train_only else []
            result = cross_validate(docs, heads_fit_predict(), k=cv, seed=seed, progress=_err,
                                    learning_curve=curve, train_only=extra)
        else:
            if train_only:
                raise typer.BadParameter("--train-only needs --cv")
            if len(model_or_data) < 2:
                raise typer.BadParameter("give MODEL and DATA (or --cv K DATA)")
            nlp = load(model_or_data[0])
            docs = _read_gold(model_or_data[1:], corpus, fmt=from_fmt)
            result = evaluate_tagger(nlp.get_pipe("campaign_tagger"), docs)
    except (AnnotationError, OSError, ValueError) as e:
        _err(f"error: {e}")
        raise typer.Exit(2)
    text = json.dumps(result, ensure_ascii=False, indent=2)
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    if plots:
        from .plots import save_evaluation_plots
        for path in save_evaluation_plots(result, plots):
            _err(f"wrote {path}")
    typer.echo(text if as_json else format_report(result))


def format_report(result: dict) -> str:
    s, m = result["stage"], result["methods"]
    lines = [f"sentences: {result['n_sentences']}",
             f"stage: accuracy {s['accuracy']:.3f}  macro-F1 {s['macro_f1']:.3f}",
             f"methods: micro-F1 {m['micro_f1']:.3f}  macro-F1 {m['macro_f1']:.3f}", "",
             f"{'label':<12}{'P':>7}{'R':>7}{'F1':>7}{'n':>7}"]
    for block in (s["per_label"], m["per_label"]):
        for lab, v in block.items():
            lines.append(f"{lab:<12}{v['p']:>7.3f}{v['r']:>7.3f}{v['f1']:>7.3f}{v['support']:>7}")
        lines.append("")
    labels = s["confusion"]["labels"]
    lines.append("stage confusion (rows gold, columns predicted): " + " ".join(labels))
    for lab, row in zip(labels, s["confusion"]["matrix"]):
        lines.append(f"{lab:<8}" + "".join(f"{x:>7}" for x in row))
    if result.get("learning_curve", {}).get("points"):
        lines += ["", "learning curve (training documents per fold: stage macro-F1, methods micro-F1)"]
        for pt in result["learning_curve"]["points"]:
            lines.append(f"{pt['train_documents']:>8.0f}  {pt['stage_macro_f1']:.3f}  {pt['methods_micro_f1']:.3f}")
    return "\n".join(lines)


def _check_target(value: str) -> str:
    return _check_format(value) or value


def _tagged_documents(nlp_model, corpus_inputs, id_field, text_field):
    from . import load
    from .corpus import iter_documents

    return load(nlp_model), iter_documents(corpus_inputs, id_field=id_field, text_field=text_field)


@app.command()
def convert(
    src: Path = typer.Argument(..., help="annotation file to read"),
    dst: Path = typer.Argument(..., help="file to write"),
    to: str = typer.Option(..., "--to", callback=_check_target,
                           help="codebook | labelstudio | doccano | prodigy"),
    from_fmt: Optional[str] = typer.Option(None, "--from", callback=_check_format,
                                           help="input format (default: detected)"),
    corpus: Optional[List[Path]] = typer.Option(None, "--corpus", help="texts for standoff input"),
):
    """Convert annotations between formats (validated on the way)."""
    from .corpus import AnnotationError
    from .formats import write_documents

    try:
        docs = _read_gold([src], corpus, fmt=from_fmt)
    except (AnnotationError, OSError) as e:
        _err(f"error: {e}")
        raise typer.Exit(2)
    n = write_documents(docs, dst, to)
    _err(f"wrote {n} documents ({sum(len(d.spans) for d in docs)} sentences) as {to} -> {dst}")


@app.command()
def export(
    inputs: List[Path] = typer.Argument(..., help="corpus: anything `campaignnlp tag` reads"),
    to: str = typer.Option(..., "--to", callback=_check_target,
                           help="labelstudio | prodigy | doccano | codebook"),
    output: Path = typer.Option(..., "-o", "--output", help="file of tasks to write"),
    model: Optional[Path] = typer.Option(None, "--model", help="pipeline directory (default: shipped)"),
    id_field: str = typer.Option("id", "--id-field", help="id key/column of record files"),
    text_field: str = typer.Option("text", "--text-field", help="text key/column"),
    batch_size: int = typer.Option(BATCH_SIZE, "--batch-size", min=1),
):
    """Tag a corpus and write pre-annotated tasks (the model's stage and methods per sentence,
    with scores where the format has a place) for correction."""
    from .batch import tag_documents
    from .corpus import Annotated
    from .formats import write_documents

    nlp, documents = _tagged_documents(model, inputs, id_field, text_field)
    texts, failed = {}, 0

    def remember(docs):
        for d in docs:
            if d.text is not None:
                texts[d.id] = (d.text, d.meta)
            yield d

    def annotated():
        nonlocal failed
        for r in tag_documents(nlp, remember(documents), batch_size=batch_size):
            if "error" in r:
                failed += 1
                _err(f"error: {r['error']}")
                continue
            text, meta = texts.pop(r["id"])
            spans = [{k: s[k] for k in ("start", "end", "stage", "methods", "stage_scores",
                                        "method_scores")} for s in r["sentences"]]
            yield Annotated(id=r["id"], text=text, spans=spans, meta=meta or {})

    n = write_documents(annotated(), output, to, predictions=True,
                        model_version=nlp.meta.get("name", "campaignnlp"))
    if to == "labelstudio":
        _write_labelstudio_config(nlp, output)
    _err(f"wrote {n} pre-annotated documents as {to} -> {output}; {failed} failed")
    raise typer.Exit(1 if failed else 0)


def _write_labelstudio_config(nlp, output: Path) -> None:
    from .formats import labelstudio_config

    tagger = nlp.get_pipe("campaign_tagger")
    path = output.with_name(output.stem + ".config.xml")
    path.write_text(labelstudio_config(tagger.stage_labels, tagger.method_labels), encoding="utf-8")
    _err(f"Label Studio labelling config -> {path}")


@app.command()
def suggest(
    inputs: List[Path] = typer.Argument(..., help="corpus: anything `campaignnlp tag` reads"),
    n: int = typer.Option(200, "-n", min=1, help="sentences to pick"),
    to: str = typer.Option(..., "--to", callback=_check_target,
                           help="labelstudio | prodigy | doccano | codebook"),
    output: Path = typer.Option(..., "-o", "--output", help="file of tasks to write"),
    model: Optional[Path] = typer.Option(None, "--model", help="pipeline directory (default: shipped)"),
    strategy: str = typer.Option("margin", "--strategy", help="stage uncertainty: margin | entropy"),
    method_weight: float = typer.Option(1.0, "--method-weight", min=0.0,
                                        help="weight of method uncertainty beside the stage's"),
    diversity: float = typer.Option(0.5, "--diversity", min=0.0,
                                    help="penalty on similarity to sentences already picked"),
    max_similarity: float = typer.Option(0.8, "--max-similarity",
                                         help="never pick a sentence this similar to a pick (cosine)"),
    exclude: Optional[List[Path]] = typer.Option(None, "--exclude",
                                                 help="annotation files whose documents to skip"),
    id_field: str = typer.Option("id", "--id-field", help="id key/column of record files"),
    text_field: str = typer.Option("text", "--text-field", help="text key/column"),
):
    """Pick the sentences the model is least sure of (diverse, no near-duplicates) and write
    them as pre-annotated tasks."""
    from .active import STRATEGIES, suggest as pick
    from .corpus import AnnotationError
    from .formats import write_documents

    if strategy not in STRATEGIES:
        raise typer.BadParameter(f"--strategy: choose one of {', '.join(STRATEGIES)}")
    skip = set()
    if exclude:
        try:
            skip = {d.id for d in _read_gold(exclude, None)}
        except (AnnotationError, OSError) as e:
            _err(f"error: {e}")
            raise typer.Exit(2)
    nlp, documents = _tagged_documents(model, inputs, id_field, text_field)
    errors: list = []
    docs = pick(nlp, documents, n, strategy=strategy, method_weight=method_weight,
                diversity=diversity, max_similarity=max_similarity, exclude_ids=skip, errors=errors)
    for r in errors:
        _err(f"error: {r['error']}")
    write_documents(docs, output, to, predictions=True, model_version=nlp.meta.get("name", "campaignnlp"))
    if to == "labelstudio":
        _write_labelstudio_config(nlp, output)
    _err(f"picked {sum(len(d.spans) for d in docs)} sentences from {len(docs)} documents "
         f"-> {output} ({to})")


@app.command()
def review(
    data: List[Path] = typer.Argument(..., help="gold annotations (any format, or standoff)"),
    output: Path = typer.Option(..., "-o", "--output", help="flags: .jsonl or .csv"),
    cv: int = typer.Option(5, "--cv", min=2, help="folds (by document) for out-of-fold predictions"),
    corpus: Optional[List[Path]] = typer.Option(None, "--corpus", help="texts for standoff annotations"),
    from_fmt: Optional[str] = typer.Option(None, "--from", callback=_check_format,
                                           help="annotation format (default: detected per file)"),
    to: Optional[str] = typer.Option(None, "--to", callback=_check_format,
                                     help="also write the flagged sentences as tasks in this format"),
    tasks: Optional[Path] = typer.Option(None, "--tasks", help="where the tasks go (default: beside -o)"),
    stage_threshold: float = typer.Option(0.8, "--stage-threshold",
                                          help="flag when the predicted stage has at least this"),
    gold_ceiling: float = typer.Option(0.1, "--gold-ceiling",
                                       help="... and the gold stage at most this"),
    method_high: float = typer.Option(0.95, "--method-high", help="flag an extra method from this score"),
    method_low: float = typer.Option(0.05, "--method-low", help="flag a gold method up to this score"),
    predictions: Optional[Path] = typer.Option(None, "--predictions",
                                               help="out-of-fold predictions: read from here if the "
                                                    "file exists (no CV), else written here"),
    seed: int = typer.Option(0, "--seed"),
):
    """Find likely label errors: gold sentences whose out-of-fold prediction confidently
    disagrees with the gold label, ranked, for a second look."""
    from .corpus import AnnotationError
    from .formats import EXTENSIONS, write_documents
    from .review import Thresholds, find_label_errors, flags_as_documents, out_of_fold, write_flags

    try:
        docs = _read_gold(data, corpus, fmt=from_fmt)
    except (AnnotationError, OSError) as e:
        _err(f"error: {e}")
        raise typer.Exit(2)
    if predictions and predictions.exists():
        oof = [json.loads(line) for line in predictions.read_text(encoding="utf-8").splitlines() if line]
        _err(f"read {len(oof)} out-of-fold predictions from {predictions}")
    else:
        oof = out_of_fold(docs, k=cv, seed=seed, progress=_err)
        if predictions:
            predictions.parent.mkdir(parents=True, exist_ok=True)
            predictions.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in oof),
                                   encoding="utf-8")
    try:
        flags = find_label_errors(docs, oof, Thresholds(stage_threshold, gold_ceiling,
                                                        method_high, method_low))
    except ValueError as e:
        _err(f"error: {e}")
        raise typer.Exit(2)
    write_flags(flags, output)
    kinds: dict[str, int] = {}
    for f in flags:
        for i in f["issues"]:
            kinds[i["kind"]] = kinds.get(i["kind"], 0) + 1
    _err(f"flagged {len(flags)} of {len(oof)} sentences ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items())) or 'none'}) -> {output}")
    if to:
        path = tasks or output.with_name(output.stem + ".tasks" + EXTENSIONS[to])
        write_documents(flags_as_documents(docs, flags), path, to)
        _err(f"flagged sentences as {to} tasks -> {path}")


def main() -> None:  # console script
    app()


if __name__ == "__main__":
    sys.exit(main())
