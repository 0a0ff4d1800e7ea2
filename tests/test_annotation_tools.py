"""The scripts that turn coders' label sheets into the committed standoff annotations."""
from __future__ import annotations

import json
import sys

import pytest

from .conftest import REPO

sys.path.insert(0, str(REPO / "training" / "annotations"))
import agreement  # noqa: E402
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


def test_agreement_scores_units_both_coders_labelled(tmp_path):
    first = tmp_path / "first.tsv"
    second = tmp_path / "second.tsv"
    first.write_text("d\t0\t其他\t\nd\t1\t学习教育\t理论学习\nd\t2\t整改落实\t整改措施,建章立制\n"
                     "e\t0\t其他\t\n", encoding="utf-8")
    second.write_text("# second coder\nd\t0\t其他\t\nd\t1\t学习教育\t理论学习\nd\t2\t其他\t整改措施\n",
                      encoding="utf-8")
    result = agreement.agreement(agreement.read_sheet(first), agreement.read_sheet(second))
    assert result["documents"] == 1 and result["units"] == 3  # e/0 has one coder only
    assert result["stage_agreement"] == pytest.approx(2 / 3)
    # per-label F1 over the labels either coder used: 其他 2/3, 学习教育 1, 整改落实 0
    assert result["stage_macro_f1"] == pytest.approx((2 / 3 + 1 + 0) / 3)
    assert result["methods_micro_f1"] == pytest.approx(2 * 2 / (3 + 2))
    assert result["units_differing"] == 1


def test_negative_candidates_name_no_campaign(tmp_path):
    import gzip

    import select_negatives
    shared = tmp_path / "data"
    (shared / "corpus").mkdir(parents=True)
    (shared / "gold").mkdir()
    cues = "干部集中学习，开展调研，整改问题，建立长效机制，召开座谈会征求意见。"
    plain = "今天天气晴朗，市场供应充足，游客数量平稳增长。"

    def item(id_, title, text):
        return {"id": id_, "date": "2020-01-01", "title": title, "text": text}
    known = item("known", "已在语料", cues * 20)
    (shared / "corpus" / "xwlb_campaign.jsonl").write_text(json.dumps(known, ensure_ascii=False) + "\n",
                                                           encoding="utf-8")
    (shared / "gold" / "g.jsonl").write_text("", encoding="utf-8")
    items = [known,
             item("named", "新闻", cues * 10 + "党史学习教育深入开展。"),
             item("series", "【到群众中去】新闻", cues * 20),
             item("short", "新闻", cues),
             item("long", "新闻", cues * 100),
             item("plain", "新闻", plain * 20),
             item("copy", "新闻", cues * 20),  # the known text under another id
             item("kept", "新闻", cues * 21)]
    with gzip.open(shared / "corpus" / "xwlb_all.jsonl.gz", "wt", encoding="utf-8") as f:
        f.writelines(json.dumps(d, ensure_ascii=False) + "\n" for d in items)
    assert [d["id"] for d in select_negatives.candidates(shared)] == ["kept"]
