import pytest

from campaignnlp.sentences import codebook_units, split_sentences


def covers(text, spans):
    """Spans in order, non-overlapping, trimmed, and covering every non-space character."""
    last = 0
    covered = [False] * len(text)
    for s, e in spans:
        assert last <= s < e <= len(text)
        assert not text[s].isspace() and not text[e - 1].isspace()
        for i in range(s, e):
            covered[i] = True
        last = e
    return all(covered[i] or ch.isspace() for i, ch in enumerate(text))


def units(text, **kw):
    return [text[s:e] for s, e in split_sentences(text, **kw)]


def test_terminal_punctuation_with_closing_quotes():
    assert units("他说：“要抓好整改！”大家表示赞同。好吗?是的") == [
        "他说：“要抓好整改！”", "大家表示赞同。", "好吗?", "是的"]


def test_line_breaks_make_headings_and_debris_their_own_units():
    text = "您所在的位置：首页 >> 正文\r\n\n二、查摆问题，开展批评\n打印 纠错\n班子成员开展批评。"
    assert units(text) == ["您所在的位置：首页 >> 正文", "二、查摆问题，开展批评", "打印 纠错", "班子成员开展批评。"]


def test_list_openers_after_semicolon_or_colon_start_units():
    text = "主要做法有：一是领导带头学；二是专家授课学；（三）典型案例学。"
    assert units(text) == ["主要做法有：", "一是领导带头学；", "二是专家授课学；", "（三）典型案例学。"]
    # not after a comma, and not inside ordinals such as 第十五、第十六
    assert units("在央视播出第十五、第十六集，一是指第一集。") == ["在央视播出第十五、第十六集，一是指第一集。"]
    assert units("做法：一是学；二是改。", list_items=False) == ["做法：一是学；二是改。"]


def test_codebook_units_match_gold_exactly(gold_docs):
    for doc in gold_docs:
        assert codebook_units(doc.text) == doc.bounds, doc.id


def test_empty_and_whitespace_only():
    assert split_sentences("") == []
    assert split_sentences(" \n\t\u3000\n") == []


def test_long_unpunctuated_text_is_bounded():
    text = "学习" * 5000 + "，整改" * 300
    spans = split_sentences(text, max_length=300)
    assert max(e - s for s, e in spans) <= 300
    assert covers(text, spans)


@pytest.mark.parametrize("text", [
    "。。。！！", "\n\n一是\n", "abc", "“”", "a。\u2028b\rc", "  （一）  ", "😀😀。😀", "\x00\x01。",
])
def test_offsets_valid_on_odd_inputs(text):
    assert covers(text, split_sentences(text))
