"""Inter-annotator agreement on the double-annotated sample, before adjudication.

    python training/annotations/agreement.py [--json]

Compares each second coder's sheet (work/sheet_double.tsv: the campaign corpus, batches 0-5;
work/sheet_double2.tsv: the extra documents, batches 6-11; work/sheet_double3.tsv: batches 1, 3
and 5, which the first sample missed) with the first coders' sheets
(work/sheet_batch*.tsv) on the units both labelled: stage agreement and Cohen's kappa, methods
micro-F1 and stage macro-F1 (one coder taken as reference), per sheet and pooled: the ceiling
the model's cross-validated figures are read against.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from sklearn.metrics import cohen_kappa_score, f1_score
from sklearn.preprocessing import MultiLabelBinarizer

HERE = Path(__file__).resolve().parent


def read_sheet(path: Path) -> dict[tuple[str, int], tuple[str, frozenset]]:
    out = {}
    for line in path.open(encoding="utf-8"):
        parts = line.rstrip("\n").split("\t")
        if len(parts) >= 3 and not line.startswith("#"):
            methods = frozenset(m.strip() for m in (parts[3] if len(parts) > 3 else "").split(",") if m.strip())
            out[(parts[0], int(parts[1]))] = (parts[2], methods)
    return out


def agreement(first: dict, second: dict) -> dict:
    keys = sorted(set(first) & set(second))
    a = [first[k][0] for k in keys]
    b = [second[k][0] for k in keys]
    ma = [sorted(first[k][1]) for k in keys]
    mb = [sorted(second[k][1]) for k in keys]
    mlb = MultiLabelBinarizer().fit(ma + mb)
    return {
        "documents": len({k[0] for k in keys}),
        "units": len(keys),
        "stage_agreement": sum(x == y for x, y in zip(a, b)) / len(keys),
        "stage_kappa": cohen_kappa_score(a, b),
        "stage_macro_f1": f1_score(a, b, average="macro"),
        "methods_micro_f1": f1_score(mlb.transform(ma), mlb.transform(mb), average="micro"),
        "units_differing": sum(first[k] != second[k] for k in keys),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    first: dict = {}
    for pattern in ("sheet_batch*.tsv", "sheet_negative*.tsv"):
        for sheet in sorted((HERE / "work").glob(pattern)):
            first.update(read_sheet(sheet))
    results, pooled = {}, {}
    for sheet in sorted((HERE / "work").glob("sheet_double*.tsv")):
        second = read_sheet(sheet)
        results[sheet.name] = agreement(first, second)
        pooled.update(second)
    results["pooled"] = agreement(first, pooled)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for name, result in results.items():
        print(f"{name}: {result['documents']} documents, {result['units']} units double-annotated")
        print(f"  stage agreement {result['stage_agreement']:.3f}, Cohen's kappa {result['stage_kappa']:.3f}, "
              f"macro-F1 {result['stage_macro_f1']:.3f}")
        print(f"  methods micro-F1 {result['methods_micro_f1']:.3f}; "
              f"{result['units_differing']} units differ (adjudicated in work/adjudication*.tsv)")


if __name__ == "__main__":
    main()
