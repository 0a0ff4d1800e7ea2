"""Turn an annotator's label sheet into standoff annotations (codebook spans, no text).

Label sheet: one line per unit, tab-separated: doc id, unit index, stage, methods (comma-
separated, may be empty). Lines starting with # are ignored.

    python training/annotations/assemble.py labels.tsv -o training/annotations/batch0.jsonl

How the committed files were made (the extra documents of batches 6-11 and the negatives come
from the full news corpus, each text its title and body; see units.py):

    cd training/annotations
    for n in 0 1 2 3 4 5; do python assemble.py work/sheet_batch$n.tsv \
        --adjudication work/adjudication.tsv --adjudication work/adjudication3.tsv \
        --adjudication work/review_fixes.tsv -o batch$n.jsonl; done
    for n in 6 7 8 9 10 11; do python assemble.py work/sheet_batch$n.tsv \
        --corpus ../../../shared/data/corpus/xwlb_all.jsonl.gz --fields title,text \
        --ids work/extra_ids.txt --adjudication work/adjudication2.tsv -o batch$n.jsonl; done
    for n in 0 1 2 3 4 5 6; do python assemble.py work/sheet_negative$n.tsv \
        --corpus ../../../shared/data/corpus/xwlb_all.jsonl.gz --fields title,text \
        --ids work/negative_ids.txt --adjudication work/adjudication4.tsv -o negative$n.jsonl; done

Every unit of every document named in the sheet must be labelled exactly once, with labels
from the codebook; anything else is an error naming the sheet line.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from units import codebook_units, pending_documents, read_ids  # noqa: E402

STAGES = {"学习教育", "查摆问题", "整改落实", "其他"}
METHODS = {"理论学习", "专题辅导", "典型教育", "交流研讨", "调查研究", "征求意见", "批评与自我批评",
           "民主评议", "整改措施", "建章立制", "为民服务", "督导检查", "宣传引导", "组织部署", "领导带头"}


def assemble(sheet: Path, corpus: Path | None = None, ids: list[str] | None = None,
             fields: tuple[str, ...] = ("text",)) -> tuple[list[dict], list[str]]:
    docs = {d["id"]: d for d in pending_documents(corpus=corpus, ids=ids, fields=fields)}
    labels: dict[str, dict[int, tuple[str, list[str]]]] = {}
    errors = []
    for n, line in enumerate(sheet.open(encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < 3:
            errors.append(f"{sheet}:{n}: expected 'id<TAB>index<TAB>stage<TAB>methods'")
            continue
        doc_id, idx, stage = parts[0].strip(), parts[1].strip(), parts[2].strip()
        methods = [m.strip() for m in (parts[3] if len(parts) > 3 else "").split(",") if m.strip()]
        if doc_id not in docs:
            errors.append(f"{sheet}:{n}: unknown document id {doc_id!r}")
            continue
        if stage not in STAGES:
            errors.append(f"{sheet}:{n}: unknown stage {stage!r}")
        bad = [m for m in methods if m not in METHODS]
        if bad:
            errors.append(f"{sheet}:{n}: unknown methods {bad}")
        try:
            k = int(idx)
        except ValueError:
            errors.append(f"{sheet}:{n}: unit index {idx!r} is not a number")
            continue
        if k in labels.setdefault(doc_id, {}):
            errors.append(f"{sheet}:{n}: unit {k} of {doc_id} labelled twice")
        labels[doc_id][k] = (stage, sorted(set(methods), key=methods.index))
    out = []
    for doc_id, units in labels.items():
        d = docs[doc_id]
        bounds = codebook_units(d["text"])
        missing = [k for k in range(len(bounds)) if k not in units]
        extra = [k for k in units if k >= len(bounds) or k < 0]
        if missing or extra:
            errors.append(f"{sheet}: {doc_id}: units missing {missing} / out of range {extra}")
            continue
        spans = [{"start": s, "end": e, "stage": units[k][0], "methods": units[k][1]}
                 for k, (s, e) in enumerate(bounds)]
        record = {"id": doc_id, "sha1": d["sha1"]}
        if tuple(fields) != ("text",):  # the text is these corpus fields joined by line breaks
            record["fields"] = list(fields)
        out.append({**record, "spans": spans})
    return out, errors


def adjudicate(records: list[dict], adjudication: Path) -> int:
    """Overwrite units with the adjudicator's labels (sheet format, a reason column after)."""
    by_id = {r["id"]: r for r in records}
    changed = 0
    for n, line in enumerate(adjudication.open(encoding="utf-8"), 1):
        parts = line.rstrip("\n").split("\t")
        if len(parts) < 3 or parts[0] not in by_id:
            continue
        span = by_id[parts[0]]["spans"][int(parts[1])]
        methods = [m.strip() for m in (parts[3] if len(parts) > 3 else "").split(",") if m.strip()]
        if parts[2] not in STAGES or any(m not in METHODS for m in methods):
            raise SystemExit(f"{adjudication}:{n}: unknown label")
        if (span["stage"], span["methods"]) != (parts[2], methods):
            span["stage"], span["methods"] = parts[2], methods
            changed += 1
    return changed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("sheet", type=Path)
    ap.add_argument("-o", "--output", type=Path)
    ap.add_argument("--adjudication", type=Path, action="append", default=[],
                    help="adjudicated labels to apply (sheet format); repeat to apply several, in order")
    ap.add_argument("--corpus", type=Path, help="JSONL corpus (.gz too); default: the campaign corpus")
    ap.add_argument("--ids", type=Path, help="the corpus documents the sheet labels (one id per line)")
    ap.add_argument("--fields", default="text", help="record fields that make the text, e.g. title,text")
    args = ap.parse_args()
    records, errors = assemble(args.sheet, args.corpus, read_ids(args.ids) if args.ids else None,
                               tuple(args.fields.split(",")))
    for path in args.adjudication if not errors else []:
        print(f"{adjudicate(records, path)} units changed by {path.name}", file=sys.stderr)
    for e in errors:
        print(e, file=sys.stderr)
    print(f"{len(records)} documents, {sum(len(r['spans']) for r in records)} units, {len(errors)} errors",
          file=sys.stderr)
    if args.output and not errors:
        with args.output.open("w", encoding="utf-8") as f:
            for r in records:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
