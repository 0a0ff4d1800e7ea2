#!/usr/bin/env bash
# Rebuild the shipped pipeline models/campaignnlp_zh from scratch:
#   1. the domain word segmenter (training/segmenter/build.py: teacher from the pkuseg sdist on
#      PyPI, silver + SXU data from ../shared, spacy_pkuseg.train);
#   2. the stage and methods heads, trained on every annotated document: the gold of
#      ../shared/data/gold and our standoff annotations in training/annotations (batches 0-5
#      joined to ../shared/data/corpus/xwlb_campaign.jsonl, batches 6-11 to xwlb_all.jsonl.gz),
#      and the hard negatives (negative*.jsonl: news naming no campaign, xwlb_all.jsonl.gz),
#      with 5-fold document-level cross-validation recorded in the manifest: it scores the
#      campaign reports; the negatives join every training fold (--train-only).
# Usage: bash training/train_shipped.sh [--skip-segmenter]   (CV=0 skips the cross-validation)
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared/data}
SEG=training/segmenter/build/pkuseg_model

if [[ "${1:-}" != "--skip-segmenter" || ! -f "$SEG/weights.npz" ]]; then
  python training/segmenter/build.py --out training/segmenter/build
fi

python -m campaignnlp.cli train \
  --train "$SHARED/gold/seeds.jsonl" --train "$SHARED/gold/xwlb_gold.jsonl" \
  $(for f in $(ls training/annotations/batch*.jsonl | sort -V); do echo --train "$f"; done) \
  $(for f in $(ls training/annotations/negative*.jsonl | sort -V); do echo --train-only "$f"; done) \
  --corpus "$SHARED/corpus/xwlb_campaign.jsonl" --corpus "$SHARED/corpus/xwlb_all.jsonl.gz" \
  --pkuseg-model "$SEG" --pkuseg-user-dict training/segmenter/user_dict.txt \
  --cv "${CV:-5}" \
  -o "${OUT:-models/campaignnlp_zh}"
