"""The campaign-domain word segmenter, used through spaCy's Chinese tokenizer."""
from pathlib import Path

import pytest
REPO = Path(__file__).resolve().parents[1]
PIPELINE = REPO / "models" / "campaignnlp_zh"
USER_DICT = REPO / "training" / "segmenter" / "user_dict.txt"


def campaign_terms():
    with open(USER_DICT, encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip() and not line.startswith("#")]


def load_nlp():
    """The shipped pipeline's tokenizer: the segmenter as users get it."""
    import campaignnlp

    return campaignnlp.load()


def test_word_feature_limit_changes_nothing():
    """The inference speed-up (word features up to the model's longest) gives the same words."""
    import spacy_pkuseg

    nlp = load_nlp()
    limited = nlp.tokenizer.pkuseg_seg
    plain = spacy_pkuseg.pkuseg(str(PIPELINE / "tokenizer" / "pkuseg_model"))
    plain.preprocesser = limited.preprocesser
    assert nlp.tokenizer.pkuseg_word_max
    text = "截至2021年12月底，全县共召开各类座谈会140多次，征求意见建议2300余条，整改落实问题86个。"
    assert limited.cut(text) == plain.cut(text)


@pytest.fixture(scope="module")
def nlp():
    return load_nlp()


def words(nlp, text):
    return [t.text for t in nlp(text) if not t.is_space]


@pytest.mark.parametrize("term", campaign_terms())
def test_campaign_term_is_one_token(nlp, term):
    for text in (f"各地认真开展{term}，取得明显成效。", f"{term}", f"会议强调，要把{term}抓实抓好。"):
        assert term in words(nlp, text), (text, words(nlp, text))


@pytest.mark.parametrize("text,term", [
    ("党的群众路线教育实践活动开展以来，各级领导班子召开专题民主生活会。", "群众路线教育实践活动"),
    ("各级领导班子召开专题民主生活会，深入开展批评和自我批评。", "专题民主生活会"),
    ("中央政治局召开专题民主生活会，会前认真撰写对照检查材料。", "对照检查材料"),
    ("在全党开展“不忘初心、牢记使命”主题教育。", "不忘初心、牢记使命"),
    ("坚决整治“四风”问题，推动整改落实、建章立制。", "四风"),
    ("坚决整治“四风”问题，推动整改落实、建章立制。", "整改落实"),
    ("坚决整治“四风”问题，推动整改落实、建章立制。", "建章立制"),
    ("县委常委会坚持中心组学习，深入检视问题。", "中心组学习"),
    ("县委常委会坚持中心组学习，深入检视问题。", "检视问题"),
    ("扎实开展党史学习教育和“两学一做”学习教育。", "党史学习教育"),
])
def test_campaign_terms_in_context(nlp, text, term):
    assert term in words(nlp, text)


@pytest.mark.parametrize("text,numbers", [
    ("全县共召开各类座谈会140多次，征求意见建议2300余条。", ["140多", "2300余"]),
    ("全省8.234万名党员干部参加学习。", ["8.234万"]),
    ("2013年7月，第一批教育实践活动进入查摆问题环节。", ["2013年", "7月"]),
    ("截至2021年12月底，共办理民生实事1.2万件，满意率达95.6%。", ["2021年", "12月", "1.2万", "95.6%"]),
])
def test_numbers_not_shattered(nlp, text, numbers):
    toks = words(nlp, text)
    for number in numbers:
        # the number (with its approximation or magnitude marker) lies inside one token;
        # a following measure word may be its own token (140多 / 次)
        assert any(number in t for t in toks), (number, toks)
    for t in toks:
        if t[-1:].isdigit():
            # no token ends inside a number that the next token continues
            i = toks.index(t)
            nxt = toks[i + 1] if i + 1 < len(toks) else ""
            assert not nxt[:1].isdigit() and nxt[:1] not in (".", "多", "余", "万", "亿"), toks


@pytest.mark.parametrize("text", [
    "中央第一巡回督导组在江西督导时强调：  要把“两学一做”学习教育常态化制度化。",
    "您所在的位置：首页 >> 新闻中心\n  2014-07-10 15:30  来源：人民网  【打印】【关闭】",
    "With English words, 数字123 and ＡＢＣ full-width letters\t\t和 tabs 。",
    "（责任编辑：王小明）",
    "",
])
def test_tokens_cover_text_exactly(nlp, text):
    doc = nlp(text)
    assert "".join(t.text_with_ws for t in doc) == text
    assert all(len(t.text) > 0 for t in doc)
