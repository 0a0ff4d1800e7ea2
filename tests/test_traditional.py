"""Traditional characters, full-width ASCII and mixed input tag like the simplified text, with
offsets into the text as given (the normalised view is internal)."""
from __future__ import annotations

import pytest

opencc = pytest.importorskip("opencc")

# Our own passage in the genre: one sentence per codebook unit, covering the three stages.
PASSAGE = (
    "在学习教育环节，县委中心组集中学习党章和系列重要讲话，邀请专家作专题辅导报告。\n"
    "各支部组织党员干部观看警示教育片，参观革命纪念馆。\n"
    "县级领导带头深入基层调研，走访群众征求意见建议。\n"
    "在查摆问题环节，县委常委班子召开专题民主生活会，认真开展批评和自我批评。\n"
    "班子成员撰写对照检查材料，查摆出形式主义、官僚主义方面问题23条。\n"
    "在整改落实环节，县委制定整改方案，建立健全联系服务群众长效机制。\n"
    "截至2014年9月，已解决群众反映的突出问题180多个，群众满意率达到96%。"
)

# Full-width forms of the ASCII in the passage (digits, %, and a web address we add).
_FW = {ord(c): ord(c) + 0xFEE0 for c in "0123456789%ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz."}


def _s2t(text: str) -> str:
    conv = None
    for config in ("s2t", "s2t.json"):
        try:
            conv = opencc.OpenCC(config)
            break
        except Exception:  # noqa: BLE001 - binding versions name configs differently
            continue
    if conv is None:
        pytest.skip("opencc has no s2t configuration")
    return conv.convert(text)


def _tags(nlp, text):
    doc = nlp(text)
    return [(s.start_char, s.end_char, s.text, s._.stage, sorted(s._.methods))
            for s in doc.spans["campaign"]]


def _check_same(nlp, variant: str):
    base, other = _tags(nlp, PASSAGE), _tags(nlp, variant)
    assert len(other) == len(base) > 3
    for (bs, be, _, b_stage, b_methods), (s, e, text, stage, methods) in zip(base, other):
        assert text == variant[s:e]  # offsets index the text as given
        if len(variant) == len(PASSAGE):
            assert (s, e) == (bs, be)
        assert (stage, methods) == (b_stage, b_methods), text
    return base


def test_passage_is_tagged_with_stages_and_methods(nlp):
    # Guards the comparisons below against a passage that tags as nothing at all.
    tags = _tags(nlp, PASSAGE)
    assert {"学习教育", "查摆问题", "整改落实"} <= {t[3] for t in tags}
    assert sum(len(t[4]) for t in tags) >= len(tags)


def test_traditional_tags_like_simplified(nlp):
    traditional = _s2t(PASSAGE)
    assert traditional != PASSAGE and "環節" in traditional
    _check_same(nlp, traditional)


def test_full_width_ascii_tags_like_half_width(nlp):
    full = PASSAGE.translate(_FW)
    assert "２０１４" in full and "９６％" in full
    base = _check_same(nlp, full)
    doc = nlp(full)
    assert any("１８０" in s.text for s in doc.spans["campaign"])
    assert base


def test_mixed_traditional_and_full_width_tags_like_simplified(nlp):
    lines = PASSAGE.split("\n")
    # Odd lines traditional, every line with full-width digits, ideographic spaces at the start.
    mixed = "\n".join(("\u3000\u3000" if k else "") + (_s2t(l) if k % 2 else l).translate(_FW)
                      for k, l in enumerate(lines))
    base, other = _tags(nlp, PASSAGE), _tags(nlp, mixed)
    assert len(other) == len(base)
    for (_, _, _, b_stage, b_methods), (s, e, text, stage, methods) in zip(base, other):
        assert text == mixed[s:e] and text.strip() == text
        assert (stage, methods) == (b_stage, b_methods), text


def test_tag_frame_offsets_index_the_traditional_input(nlp):
    import campaignnlp

    traditional = _s2t(PASSAGE)
    df = campaignnlp.tag([PASSAGE, traditional], nlp)
    simp, trad = df[df.doc_id == "0"], df[df.doc_id == "1"]
    assert list(simp["stage"]) == list(trad["stage"])
    assert [sorted(m) for m in simp["methods"]] == [sorted(m) for m in trad["methods"]]
    for row in trad.itertuples():
        assert traditional[row.start:row.end] == row.text
