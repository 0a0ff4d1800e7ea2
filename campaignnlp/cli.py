"""The ``campaignnlp`` command line: a thin layer over the library.

    campaignnlp tag INPUT... -o OUT.jsonl
    campaignnlp train --train FILE... [--dev FILE] -o DIR
    campaignnlp evaluate MODEL DATA [--json]
    campaignnlp evaluate --cv 5 DATA
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Tag Chinese party campaign reports by campaign stage and method.")


def _err(msg: str) -> None:
    typer.echo(msg, err=True)


def _read_gold(paths: List[Path], standoff_corpus: Optional[List[Path]] = None,
               stages=None, methods=None):
    """Codebook JSONL files; standoff files (no text) are joined to ``standoff_corpus``."""
    from .corpus import read_annotations, read_standoff

    plain, standoff = [], []
    for p in paths:
        with open(p, encoding="utf-8-sig") as f:
            first = next((l for l in f if l.strip()), "{}")
        try:
            head = json.loads(first)
            is_standoff = isinstance(head, dict) and "text" not in head and "sha1" in head
        except json.JSONDecodeError:
            is_standoff = False
        (standoff if is_standoff else plain).append(p)
    docs = read_annotations(plain, stages, methods) if plain else []
    if standoff:
        if not standoff_corpus:
            raise typer.BadParameter(f"{standoff[0]} holds standoff annotations (no text): "
                                     "give the corpus they index with --corpus")
        docs += read_standoff(standoff, standoff_corpus, stages, methods)
    return docs


@app.command()
def tag(
    inputs: List[Path] = typer.Argument(..., help=".txt files, directories of .txt, .jsonl files"),
    output: Path = typer.Option(..., "-o", "--output", help="output JSONL, one line per document"),
    model: Optional[Path] = typer.Option(None, "--model", help="pipeline directory (default: shipped)"),
    batch_size: int = typer.Option(32, "--batch-size"),
    n_process: int = typer.Option(1, "--n-process"),
    id_field: str = typer.Option("id", "--id-field", help="id key of .jsonl records"),
    text_field: str = typer.Option("text", "--text-field", help="text key of .jsonl records"),
    quiet: bool = typer.Option(False, "--quiet", "-q"),
):
    """Tag every sentence of the inputs; write one JSON line per document."""
    from . import load
    from .batch import tag_documents
    from .corpus import iter_documents

    nlp = load(model)
    n_docs = n_failed = n_sents = 0
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8") as out:
        docs = iter_documents(inputs, id_field=id_field, text_field=text_field)
        for record in tag_documents(nlp, docs, batch_size=batch_size, n_process=n_process):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            n_docs += 1
            if "error" in record:
                n_failed += 1
                _err(f"error: {record['error']}")
            else:
                n_sents += len(record["sentences"])
    if not quiet:
        _err(f"tagged {n_docs - n_failed} documents ({n_sents} sentences) -> {output}; "
             f"{n_failed} failed")
    raise typer.Exit(1 if n_failed else 0)


@app.command()
def train(
    train_files: List[Path] = typer.Option(..., "--train", help="annotations (codebook JSONL or standoff)"),
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
):
    """Train the stage and methods heads on annotations; write a pipeline directory."""
    from . import training
    from .corpus import AnnotationError
    from .labels import METHODS, STAGES

    try:
        allowed = (list(STAGES), list(METHODS)) if codebook_labels else (None, None)
        docs = _read_gold(train_files, corpus, *allowed)
        dev_docs = _read_gold(dev, corpus, *allowed) if dev else None
    except (AnnotationError, OSError) as e:
        _err(f"error: {e}")
        raise typer.Exit(2)
    if pkuseg_model is not None:
        base = training.blank_pipeline(pkuseg_model, pkuseg_user_dict)
    nlp = training.train(docs, base=base, dev_docs=dev_docs, log=_err)
    extra = {}
    if cv:
        from .evaluation import cross_validate, heads_fit_predict
        extra["cross_validation"] = cross_validate(docs, heads_fit_predict(), k=cv, progress=_err)
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
):
    """Score a pipeline on gold data, or cross-validate the heads on it (--cv K)."""
    from . import load
    from .corpus import AnnotationError
    from .evaluation import cross_validate, evaluate_tagger, heads_fit_predict

    try:
        if cv:
            docs = _read_gold(model_or_data, corpus)
            result = cross_validate(docs, heads_fit_predict(), k=cv, progress=_err)
        else:
            if len(model_or_data) < 2:
                raise typer.BadParameter("give MODEL and DATA (or --cv K DATA)")
            nlp = load(model_or_data[0])
            docs = _read_gold(model_or_data[1:], corpus)
            result = evaluate_tagger(nlp.get_pipe("campaign_tagger"), docs)
    except (AnnotationError, OSError) as e:
        _err(f"error: {e}")
        raise typer.Exit(2)
    text = json.dumps(result, ensure_ascii=False, indent=2)
    if output:
        output.write_text(text, encoding="utf-8")
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
    return "\n".join(lines)


def main() -> None:  # console script
    app()


if __name__ == "__main__":
    sys.exit(main())
