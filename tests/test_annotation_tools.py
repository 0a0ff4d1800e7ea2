"""The scripts that turn coders' label sheets into the committed standoff annotations."""
from __future__ import annotations

import json
import sys

import pytest

from .conftest import REPO

sys.path.insert(0, str(REPO / "training" / "annotations"))
import assemble  # noqa: E402
import units  # noqa: E402


def test_units_are_the_codebook_units(gold_docs):
    from campaignnlp.sentences import codebook_units
    for doc in gold_docs[:20]:
        assert units.codebook_units(doc.text) == codebook_units(doc.text)


def test_extra_documents_are_title_and_text(shared):
    campaign = {}
    for d in units.read_corpus(shared / "corpus" / "xwlb_campaign.jsonl"):
        campaign[d["id"]] = d["text"]
        if len(campaign) == 30:
            break
    composed = {d["id"]: d["text"] for d in units.read_corpus(shared / "corpus" / "xwlb_all.jsonl.gz",
                                                               ("title", "text")) if d["id"] in campaign}
    assert composed == campaign  # how the campaign corpus was made from the full one


def test_assemble_writes_fields_and_names_bad_lines(shared, tmp_path):
    ids = units.read_ids(REPO / "training" / "annotations" / "work" / "extra_ids.txt")[:1]
    corpus = shared / "corpus" / "xwlb_all.jsonl.gz"
    (doc,) = units.pending_documents(corpus=corpus, ids=ids, fields=("title", "text"))
    bounds = units.codebook_units(doc["text"])
    sheet = tmp_path / "sheet.tsv"
    sheet.write_text("".join(f"{doc['id']}\t{k}\t其他\t\n" for k in range(len(bounds))), encoding="utf-8")
    records, errors = assemble.assemble(sheet, corpus, ids, ("title", "text"))
    assert not errors and records[0]["fields"] == ["title", "text"]
    path = tmp_path / "batch.jsonl"
    path.write_text(json.dumps(records[0], ensure_ascii=False) + "\n", encoding="utf-8")
    from campaignnlp.corpus import read_standoff
    (joined,) = read_standoff([path], [corpus])
    assert joined.text.startswith(doc["title"] + "\n") and len(joined.spans) == len(bounds)
    # a missing unit and an unknown label are named by sheet line
    lines = sheet.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace("其他", "学习")
    sheet.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    _, errors = assemble.assemble(sheet, corpus, ids, ("title", "text"))
    assert any(f"{sheet}:1: unknown stage '学习'" in e for e in errors)
    assert any("units missing" in e for e in errors)


def test_pending_documents_refuses_unknown_ids(shared):
    with pytest.raises(SystemExit, match="not in the corpus"):
        units.pending_documents(ids=["no-such-document"])
