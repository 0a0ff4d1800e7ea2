from campaignnlp.normalize import normalize


def test_length_and_offsets_preserved():
    text = "黨的群眾路線教育實踐活動ＡＢＣ１２３　開展「民主生活會」？"
    out = normalize(text)
    assert len(out) == len(text)
    assert out.startswith("党的群众路线教育实践活动ABC123 开展")
    assert out.endswith("？")  # Chinese sentence punctuation keeps its form


def test_simplified_text_is_unchanged():
    text = "我们开展了党的群众路线教育实践活动，召开座谈会140多次。"
    assert normalize(text) == text


def test_traditional_view_equals_simplified():
    assert normalize("整改落實、建章立制環節") == "整改落实、建章立制环节"
