"""Building and training pipelines, and writing them as versioned, checksummed directories.

A campaignnlp pipeline is ``zh`` with three parts: the genre-aware pkuseg tokenizer
(:mod:`campaignnlp.tokenizer`), ``campaign_senter`` and ``campaign_tagger``. Retraining keeps
the tokenizer and sentencizer of a base pipeline (by default the shipped one) and fits new
heads on the annotations, with labels taken from the data.
"""
from __future__ import annotations

import datetime as _dt
import json
import shutil
from pathlib import Path
from typing import Callable, Sequence

import spacy
from spacy.language import Language

from . import __version__
from .components import CampaignTagger
from .corpus import Annotated, data_hash
from .evaluation import evaluate_tagger, gold_records
from .heads import MethodsHead, StageHead
from .integrity import MANIFEST, checksums
from .labels import METHODS, STAGES

PIPELINE_NAME = "campaignnlp_zh"


def blank_pipeline(pkuseg_model: str | Path, pkuseg_user_dict: str | Path | None = None) -> Language:
    """A pipeline with our tokenizer on the given pkuseg model, the sentencizer and an
    untrained tagger."""
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {
        "@tokenizers": "campaignnlp.ChineseTokenizer.v1", "segmenter": "pkuseg"}}})
    nlp.tokenizer.initialize(pkuseg_model=str(pkuseg_model),
                             pkuseg_user_dict=str(pkuseg_user_dict) if pkuseg_user_dict else "default")
    # A model pruned to short dictionary-word features segments identically, and faster, with
    # the word-feature loop limited to that length (see tokenizer.limit_word_features).
    nlp.tokenizer.pkuseg_word_max = longest_word_feature(nlp.tokenizer.pkuseg_seg)
    nlp.tokenizer._apply_word_max()
    nlp.add_pipe("campaign_senter")
    nlp.add_pipe("campaign_tagger")
    return nlp


def longest_word_feature(seg) -> int | None:
    """Length of the longest dictionary word any feature of the pkuseg model refers to."""
    longest = 0
    for feature in seg.feature_extractor.feature_to_idx:
        if feature.startswith(("w-1.", "w1.")):
            longest = max(longest, len(feature.partition(".")[2]))
        elif feature.startswith(("ww.l.", "ww.r.")):
            longest = max(longest, *(len(w) for w in feature[5:].split("*")))
    return longest or None


def base_pipeline(base: str | Path | Language | None = None) -> Language:
    """The tokenizer and sentencizer of ``base`` (default: the shipped pipeline) with a fresh,
    untrained tagger."""
    from . import default_model_path

    if isinstance(base, Language):
        nlp = base
    else:
        nlp = spacy.load(base or default_model_path(), exclude=["campaign_tagger"])
    if "campaign_tagger" in nlp.pipe_names:
        nlp.remove_pipe("campaign_tagger")
    if "campaign_senter" not in nlp.pipe_names:
        nlp.add_pipe("campaign_senter")
    nlp.add_pipe("campaign_tagger")
    return nlp


def train(train_docs: Sequence[Annotated], base: str | Path | Language | None = None,
          dev_docs: Sequence[Annotated] | None = None, stage_params: dict | None = None,
          methods_params: dict | None = None,
          log: Callable[[str], None] = lambda s: None) -> Language:
    """Fit the heads on ``train_docs`` and return the pipeline, with metrics in its meta."""
    if not train_docs:
        raise ValueError("no training documents")
    nlp = base_pipeline(base)
    tagger: CampaignTagger = nlp.get_pipe("campaign_tagger")
    tagger.mask_campaigns = True  # new heads learn from today's records, whatever the base had
    records, stages, methods = gold_records(train_docs, tagger.mask_campaigns)
    if not records:
        raise ValueError("the training documents have no labelled spans")
    if len(set(stages)) < 2:
        raise ValueError(f"need at least two stage labels to train; the data has only {sorted(set(stages))}")
    log(f"training on {len(train_docs)} documents, {len(records)} sentences")
    if hasattr(nlp.tokenizer, "learn_common_words"):  # for batch runs: see warm_vocabulary
        nlp.tokenizer.learn_common_words(d.text for d in train_docs)
    tagger.fit(records, stages, methods, StageHead(**(stage_params or {})),
               MethodsHead(**(methods_params or {})))
    tagger.meta = {
        "trained": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "train": {"documents": len(train_docs), "sentences": len(records),
                  "sha256": data_hash(train_docs)},
        "stage_params": stage_params or {}, "methods_params": methods_params or {},
    }
    metrics = {"train": evaluate_tagger(tagger, train_docs)}
    if dev_docs:
        metrics["dev"] = evaluate_tagger(tagger, dev_docs)
        tagger.meta["dev"] = {"documents": len(dev_docs), "sha256": data_hash(dev_docs)}
        log(f"dev: stage macro-F1 {metrics['dev']['stage']['macro_f1']:.3f}, "
            f"methods micro-F1 {metrics['dev']['methods']['micro_f1']:.3f}")
    tagger.meta["metrics"] = metrics
    return nlp


def save(nlp: Language, path: str | Path, extra_metrics: dict | None = None,
         version: str = __version__) -> Path:
    """Write the pipeline and its manifest (labels, versions, data hash, metrics, checksums)."""
    path = Path(path)
    if path.exists():
        shutil.rmtree(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tagger: CampaignTagger = nlp.get_pipe("campaign_tagger")
    nlp.meta.update({
        "name": "campaign",
        "version": version,
        "description": "Tags sentences of Chinese party campaign reports by campaign stage and "
                       "method (campaignnlp).",
        "labels": {"campaign_tagger": list(tagger.labels)},
        "requirements": [f"campaignnlp>={__version__}"],
    })
    nlp.to_disk(path)
    metrics = {**tagger.meta.get("metrics", {}), **(extra_metrics or {})}
    (path / "README.md").write_text(model_card(nlp, metrics), encoding="utf-8")
    import sklearn

    manifest = {
        "name": PIPELINE_NAME,
        "version": version,
        "campaignnlp": __version__,
        "spacy": spacy.__version__,
        "scikit-learn": sklearn.__version__,
        "created": tagger.meta.get("trained"),
        "labels": {"stages": tagger.stage_labels, "methods": tagger.method_labels},
        "codebook_labels": {"stages": list(STAGES), "methods": list(METHODS)},
        "training_data": tagger.meta.get("train", {}),
        "metrics": metrics,
        "checksums": checksums(path),
    }
    (path / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def model_card(nlp: Language, metrics: dict) -> str:
    """A short human-readable card; the manifest has the full figures."""
    tagger: CampaignTagger = nlp.get_pipe("campaign_tagger")
    train = tagger.meta.get("train", {})
    lines = [f"# {PIPELINE_NAME} {nlp.meta.get('version', '')}", "",
             "A campaignnlp pipeline: pkuseg tokenizer, campaign_senter, campaign_tagger "
             "(scikit-learn stage and methods heads).", "",
             f"Trained {tagger.meta.get('trained', '?')} on {train.get('documents', '?')} documents, "
             f"{train.get('sentences', '?')} sentences (data sha256 {train.get('sha256', '?')[:16]}…).", "",
             f"Stages: {', '.join(tagger.stage_labels)}", "",
             f"Methods: {', '.join(tagger.method_labels)}", "", "## Metrics", "",
             "| split | stage accuracy | stage macro-F1 | methods micro-F1 | methods macro-F1 |",
             "|---|---|---|---|---|"]
    names = {"train": "training set (optimistic)", "dev": "dev", "cross_validation": "document-level CV"}
    for key, m in metrics.items():
        if isinstance(m, dict) and "stage" in m:
            lines.append(f"| {names.get(key, key)} | {m['stage']['accuracy']:.3f} | {m['stage']['macro_f1']:.3f} "
                         f"| {m['methods']['micro_f1']:.3f} | {m['methods']['macro_f1']:.3f} |")
    lines += ["", "Loading this pipeline unpickles its heads (runs code): load only pipelines you "
              "trust. `campaignnlp.load()` verifies every file against manifest.json first.", ""]
    return "\n".join(lines)
