"""campaignnlp.pkuseg_fast: the same words as pkuseg.cut, on corpus text and random text."""
from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from campaignnlp.normalize import normalize
from campaignnlp.pkuseg_fast import FastCutter
from campaignnlp.sentences import split_sentences

PIPELINE = Path(__file__).resolve().parents[1] / "models" / "campaignnlp_zh"

# characters that exercise every path: frequent hanzi, pkuseg's digits and letters (its
# "**Num"/"**Letter" nodes, half and full width), its keyword characters, punctuation,
# whitespace of several kinds, the driver's own stand-in characters, and rare characters
ALPHABET = (list("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动")
            + list("学习教育整改落实查摆问题党员干部群众路线民主生活会警示建章立制征求意见座谈")
            + list("0123456789１２３.abcXYZＡｂｚ-._,|/*:&，。、！？“”（）%％《》")
            + [" ", "\t", "\n", "\u3000", "\x01", "\x02", "\x00", "龘", "𠀀", "é"]
            + list("一二三四五六七八九十百千万亿几"))


@pytest.fixture(scope="module")
def seg(nlp):
    return nlp.tokenizer.pkuseg_seg


@pytest.fixture(scope="module")
def cutter(nlp, seg):
    return FastCutter(seg, nlp.tokenizer.pkuseg_word_max)


def random_texts(n: int, seed: int = 0) -> list[str]:
    rnd = random.Random(seed)
    return ["".join(rnd.choice(ALPHABET) for _ in range(rnd.randint(0, 80))) for _ in range(n)]


def test_driver_reproduces_the_shipped_model(cutter):
    assert cutter.exact  # the shipped model is one the driver runs itself, not through pkuseg


def test_same_words_on_corpus_text(seg, cutter, corpus_texts):
    units = []
    for text in corpus_texts:
        view = normalize(text)
        units += [view[s:e] for s, e in split_sentences(text, max_length=400)]
    units += corpus_texts  # whole documents too: long texts, many pieces
    assert len(units) > 500
    for unit in units:
        assert cutter.cut(unit) == seg.cut(unit), unit


def test_same_words_on_random_text(seg, cutter):
    for text in random_texts(3000):
        assert cutter.cut(text) == seg.cut(text), repr(text)


def test_node_scores_are_pkusegs_exactly(seg, cutter):
    """The CRF's inputs, not only its outputs: the node scores equal getLogYY's bit for bit."""
    from spacy_pkuseg import inference

    fe = seg.feature_extractor
    for text in random_texts(300, seed=1) + ["截至2021年12月底，全县共召开座谈会140多次。", "党", "学习"]:
        for part in text.split():
            if "\x01" in part or "\x02" in part:
                continue
            nodes = list(fe.normalize_text(part))
            features = [fe.get_node_features_idx(i, nodes) for i in range(len(nodes))]
            expected = inference.getLogYY(features, seg.n_tag, seg.n_feature * seg.n_tag,
                                          seg.model.w, 1.0)[0]
            assert np.array_equal(cutter._node_scores(nodes), expected), repr(part)


def test_template_tables_hold_every_feature(seg, cutter):
    """Each one-node and two-node feature of the model is in the driver's tables, under the
    right node or pair: a node or pair outside them truly has no feature."""
    features = seg.feature_extractor.feature_to_idx
    found = set(cutter._node_table[:-1].ravel().tolist()) | set(cutter._pair_table[:-1].ravel().tolist())
    found |= set(cutter._ww.values())
    assert found - {cutter._absent} == set(features.values()) - {0}
    assert (cutter._node_table[-1] == cutter._absent).all()
    assert (cutter._pair_table[-1] == cutter._absent).all()


def test_user_dictionary_changes_are_followed(nlp):
    """Words added to the pkuseg user dictionary (spaCy's pkuseg_update_user_dict) apply at
    once, as with pkuseg itself; a reset empties it."""
    import campaignnlp

    nlp = campaignnlp.load()
    tokenizer = nlp.tokenizer
    text = "各单位开展批评与自我批评查找问题清单"
    tokenizer.pkuseg_update_user_dict(["问题清单", "批评与自我批评"])
    words = tokenizer.words(text)
    assert "问题清单" in words and "批评与自我批评" in words
    assert tokenizer._cutter().cut(text) == tokenizer.pkuseg_seg.cut(text)
    tokenizer.pkuseg_update_user_dict([], reset=True)
    assert tokenizer._cutter().cut(text) == tokenizer.pkuseg_seg.cut(text)
    for sample in random_texts(300, seed=3):
        assert tokenizer._cutter().cut(sample) == tokenizer.pkuseg_seg.cut(sample)


def test_models_it_does_not_reproduce_go_to_pkuseg(nlp):
    """Without the two-character word-feature limit, the driver hands texts to pkuseg."""
    import spacy_pkuseg

    plain = spacy_pkuseg.pkuseg(str(PIPELINE / "tokenizer" / "pkuseg_model"))
    cutter = FastCutter(plain, None)
    assert not cutter.exact
    for text in random_texts(50, seed=4):
        assert cutter.cut(text) == plain.cut(text)


def test_many_texts_at_once_equal_one_by_one(seg, cutter, corpus_texts):
    """cut_many builds features for all texts together: nothing may reach across them."""
    texts = random_texts(400, seed=5) + ["党", "学习", "", " ", "a", "１２", "党 员"]
    random.Random(6).shuffle(texts)
    for k in range(0, len(texts), 37):
        batch = texts[k:k + 37]
        assert cutter.cut_many(batch) == [seg.cut(t) for t in batch]
    view = normalize(corpus_texts[0])
    units = [view[s:e] for s, e in split_sentences(corpus_texts[0], max_length=400)]
    assert cutter.cut_many(units) == [seg.cut(u) for u in units]


def test_user_dictionary_scan_is_pkusegs(seg, cutter):
    """The scan of the user dictionary, pkuseg's quirks included: a walk that stops inside
    the text takes what it walked (here "学习教育活" past the word "学习教育")."""
    import spacy_pkuseg

    pre = spacy_pkuseg.Preprocesser(["学习教育", "学习教育活动方案", "党", "整改", "整改落实"])
    assert cutter._solve(pre, "学习教育活X") == (["学习教育活", "X"], [True, False])
    for text in random_texts(2000, seed=7) + ["学习教育活动方案", "整改落", "党党", "整改落实"]:
        for piece in text.split():
            expected = pre.solve(piece)
            assert cutter._solve(pre, piece) == (expected[0], expected[1]), piece
            expected = seg.preprocesser.solve(piece)
            assert cutter._solve(seg.preprocesser, piece) == (expected[0], expected[1]), piece



def test_window_filter_has_no_false_negatives():
    """The post-processing's Bloom filter: every string of the set is let through wherever it
    stands in a text; the hashes are the polynomial hashes they claim to be."""
    from campaignnlp.pkuseg_fast import _WindowFilter

    rnd = random.Random(8)
    words = {"".join(rnd.choice(ALPHABET[:80]) for _ in range(rnd.randint(1, 9))) for _ in range(5000)}
    filt = _WindowFilter(words)
    for word in list(words)[:500]:
        left = "".join(rnd.choice(ALPHABET) for _ in range(rnd.randint(0, 30)))
        text = left + word + "尾"
        start, end = np.array([len(left)]), np.array([len(left) + len(word)])
        assert filt.maybe(text, start, end).all(), word
    text = "".join(rnd.choice(ALPHABET) for _ in range(300)) + "\U00020000"
    start = np.array(sorted(rnd.sample(range(len(text) - 10), 50)))
    end = start + np.array([rnd.randint(1, 10) for _ in start])
    hashes = filt._hashes(text, start, end)
    for a, b, h in zip(start, end, hashes):
        expected = 0
        for ch in text[a:b]:
            expected = (expected * _WindowFilter.P + ord(ch)) % 2**64
        assert int(h) == expected
    # strings outside the set mostly get through as "no" (about 1% false positives)
    outside = ["".join(rnd.choice(ALPHABET[:80]) for _ in range(12)) for _ in range(2000)]
    joined = "".join(outside)
    ends = np.cumsum([len(s) for s in outside])
    assert filt.maybe(joined, ends - 12, ends).mean() < 0.05


def test_long_texts_and_many_texts_in_groups(seg, cutter, corpus_texts, monkeypatch):
    """Texts are cut in groups of GROUP_CHARS characters, and a longer text block by block:
    the same words either way."""
    import campaignnlp.pkuseg_fast as fast

    monkeypatch.setattr(fast, "GROUP_CHARS", 97)
    long_text = "".join(corpus_texts[:3]).replace("\n", "").replace(" ", "")
    assert len(long_text) > 10 * 97
    assert cutter.cut(long_text) == seg.cut(long_text)
    texts = random_texts(200, seed=9)
    assert cutter.cut_many(texts) == [seg.cut(t) for t in texts]
