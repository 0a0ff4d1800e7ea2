"""Property tests: the segmenter and the whole pipeline on arbitrary text.

Every test runs twice: a quick run in the default suite, and a run of ``SLOW_EXAMPLES``
examples (default 10,000) marked ``slow``::

    python -m pytest -m slow tests/test_properties.py          # CAMPAIGNNLP_SLOW_EXAMPLES=...

The texts mix what scraped corpora contain: control and format characters, emoji (with ZWJ
and skin-tone sequences), any Unicode outside the surrogates, mixed scripts, traditional and
full-width forms, list openers, runs of punctuation only, whitespace only, and long stretches
without any punctuation.
"""
from __future__ import annotations

import math
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaignnlp.sentences import DEFAULT_MAX_LENGTH, codebook_units, split_sentences

FAST_EXAMPLES = 60
SLOW_EXAMPLES = int(os.environ.get("CAMPAIGNNLP_SLOW_EXAMPLES", "10000"))
# No deadline (the machine is shared), no example database (it would be written into the
# checkout); a failure prints the minimal example and a blob to reproduce it.
_COMMON = dict(deadline=None, database=None, print_blob=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                      HealthCheck.function_scoped_fixture])
settings.register_profile("campaignnlp-fast", max_examples=FAST_EXAMPLES, **_COMMON)
settings.register_profile("campaignnlp-slow", max_examples=SLOW_EXAMPLES, **_COMMON)
FAST = settings.get_profile("campaignnlp-fast")
SLOW = settings.get_profile("campaignnlp-slow")

# -- texts ---------------------------------------------------------------------------------
SIMPLIFIED = "学习教育查摆问题整改落实县委召开专题民主生活会班子成员开展批评和自我批评环节阶段"
TRADITIONAL = "學習教育檢視問題整改落實縣委召開專題民主生活會班子成員開展批評與自我批評環節階段發於"
FULLWIDTH = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000｡｢｣､･"
PUNCT = "。！？!?，,；;：:、“”‘’\"'「」『』（）()[]【】《》〈〉….．·—～-"
WHITESPACE = " \t\n\r\u3000\u2028\u2029\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u2003\u200a"
CONTROL = ("".join(chr(c) for c in range(32)) + "\x7f\x80\x9f\u00ad\u200b\u200c\u200d\u200e\u200f"
           "\u202a\u202e\u2060\u2066\ufeff\ufff9\ufffc\ufffd\U000e0001")
EMOJI = ["😀", "🎉", "👍🏽", "🇨🇳", "👨‍👩‍👧", "❤️", "🀄", "\U0001FAE0", "©\ufe0f"]
OTHER_SCRIPTS = ("abcXYZ019 Ωπλ Жизнь مرحبا שלום हिन्दी 한국어 ひらがなカタカナ ไทย e\u0301 "
                 "\U00020000\U0002a6d6\U00030000")  # + CJK extension B/G characters
OPENERS = ["一是", "二是", "其三", "（一）", "(二)", "三、", "十一、", "（1）", "(2)", "1.", "2、", "3．",
           "：一是", "；二是", "第十五、第十六", "\r\n"]


def _run(alphabet: str, max_size: int = 20):
    return st.text(st.sampled_from(alphabet), min_size=1, max_size=max_size)


def _long_run(alphabet: str, lo: int, hi: int):
    """A stretch without punctuation: a random word repeated, or random characters."""
    return st.one_of(
        st.builds(lambda w, n: (w * (hi // max(len(w), 1) + 1))[:n],
                  _run(alphabet, 6), st.integers(lo, hi)),
        st.text(st.sampled_from(alphabet), min_size=lo, max_size=hi),
    )


def fragments(long_max: int):
    return st.one_of(
        _run(SIMPLIFIED), _run(TRADITIONAL), _run(FULLWIDTH), _run(PUNCT), _run(WHITESPACE),
        _run(CONTROL, 5), st.sampled_from(EMOJI), _run(OTHER_SCRIPTS), st.sampled_from(OPENERS),
        st.text(max_size=20),  # any code point but surrogates
        _long_run(SIMPLIFIED + TRADITIONAL + "abc123", 50, long_max),
    )


def texts(long_max: int = 1500, max_parts: int = 12):
    return st.one_of(
        st.lists(fragments(long_max), max_size=max_parts).map("".join),
        st.text(),
        st.text(st.sampled_from(PUNCT + FULLWIDTH[:16]), max_size=60),   # only punctuation
        st.text(st.sampled_from(WHITESPACE), max_size=60),               # only whitespace
        _long_run(SIMPLIFIED + TRADITIONAL, 1, long_max),                # no punctuation at all
    )


# -- what must hold ------------------------------------------------------------------------
def check_units(text: str, spans, max_length: int | None) -> None:
    """In order, non-overlapping, trimmed, bounded, covering every non-space character."""
    covered = bytearray(len(text))
    last = 0
    for s, e in spans:
        assert isinstance(s, int) and isinstance(e, int)
        assert 0 <= last <= s < e <= len(text), (s, e, last, len(text))
        assert not text[s].isspace() and not text[e - 1].isspace(), (s, e)
        if max_length is not None:
            assert e - s <= max_length, (s, e, max_length)
        covered[s:e] = b"\x01" * (e - s)
        last = e
    missed = [i for i, ch in enumerate(text) if not covered[i] and not ch.isspace()]
    assert not missed, f"characters outside every unit at {missed[:10]}"


def check_segmenter(text: str, max_length: int | None, list_items: bool) -> None:
    spans = split_sentences(text, list_items=list_items, max_length=max_length)
    check_units(text, spans, max_length)
    if max_length is None and not list_items:
        assert spans == codebook_units(text)
    if max_length is not None:
        # bounding only ever cuts units: every unbounded boundary survives
        unbounded = split_sentences(text, list_items=list_items, max_length=None)
        starts = {s for s, _ in spans}
        assert all(s in starts for s, _ in unbounded)


def check_pipeline_doc(nlp, text: str, doc) -> None:
    assert doc.text == text
    assert "".join(t.text_with_ws for t in doc) == text
    assert all(len(t.text) > 0 for t in doc)
    max_length = nlp.get_pipe("campaign_senter").max_length
    sents = list(doc.spans["campaign"])
    spans = [(s.start_char, s.end_char) for s in sents]
    check_units(text, spans, max_length)
    # the tokenizer cuts the same units as the senter, so sentences are exactly the units
    assert spans == split_sentences(text, max_length=max_length)
    if len(doc):
        tokens = [t.i for s in doc.sents for t in s]
        assert tokens == list(range(len(doc)))  # doc.sents partition the tokens
    stages = set(nlp.get_pipe("campaign_tagger").stage_labels)
    for s in sents:
        assert s.label_ == s._.stage and s._.stage in stages
        scores = s._.stage_scores
        assert set(scores) == stages
        assert all(0.0 <= p <= 1.0 for p in scores.values()), scores
        assert math.isclose(sum(scores.values()), 1.0, abs_tol=1e-3), scores
        assert scores[s._.stage] == max(scores.values())
        mscores = s._.method_scores
        assert all(0.0 <= p <= 1.0 for p in mscores.values()), mscores
        assert set(s._.methods) <= set(mscores)


# -- the segmenter -------------------------------------------------------------------------
lengths = st.one_of(st.none(), st.integers(1, 600), st.just(DEFAULT_MAX_LENGTH))


@FAST
@given(text=texts(), max_length=lengths, list_items=st.booleans())
def test_split_sentences(text, max_length, list_items):
    check_segmenter(text, max_length, list_items)


@pytest.mark.slow
@SLOW
@given(text=texts(), max_length=lengths, list_items=st.booleans())
def test_split_sentences_slow(text, max_length, list_items):
    check_segmenter(text, max_length, list_items)


def test_property_checks_can_fail():
    """The checks above reject what they are meant to reject."""
    with pytest.raises(AssertionError, match="outside every unit"):
        check_units("ab。cd", [(0, 3)], None)
    with pytest.raises(AssertionError):
        check_units("ab。cd", [(0, 3), (2, 5)], None)   # overlap
    with pytest.raises(AssertionError):
        check_units("ab cd", [(0, 3), (3, 5)], None)    # trailing whitespace in a unit
    with pytest.raises(AssertionError):
        check_units("abcd", [(0, 4)], 3)                # longer than the bound


# -- campaign_senter on Docs from any tokenizer ----------------------------------------------
@pytest.fixture(scope="module")
def vocab():
    from spacy.vocab import Vocab
    return Vocab()


def check_senter(vocab, text: str, cuts: list[int], max_length: int) -> None:
    """Tokens at arbitrary cut points: a sentence starts at the first token at or after each
    unit start, nowhere else."""
    from spacy.tokens import Doc

    from campaignnlp.sentences import CampaignSentencizer

    bounds = sorted({0, len(text), *(c % (len(text) + 1) for c in cuts)})
    words = [text[a:b] for a, b in zip(bounds, bounds[1:]) if b > a]
    doc = Doc(vocab, words=words, spaces=[False] * len(words))
    senter = CampaignSentencizer(None, max_length=max_length)
    doc = senter(doc)
    assert doc.text == text
    if not len(doc):
        return
    starts = {t.idx for t in doc if t.is_sent_start}
    expected = {0}
    for s, _ in split_sentences(text, max_length=max_length):
        at = next((t.idx for t in doc if t.idx >= s), None)
        if at is not None:
            expected.add(at)
    assert starts == expected
    assert [t.i for s in doc.sents for t in s] == list(range(len(doc)))


cut_lists = st.lists(st.integers(0, 5000), max_size=400)


@FAST
@given(text=texts(long_max=800), cuts=cut_lists, max_length=st.integers(1, 500))
def test_campaign_senter(vocab, text, cuts, max_length):
    check_senter(vocab, text, cuts, max_length)


@pytest.mark.slow
@SLOW
@given(text=texts(long_max=800), cuts=cut_lists, max_length=st.integers(1, 500))
def test_campaign_senter_slow(vocab, text, cuts, max_length):
    check_senter(vocab, text, cuts, max_length)


def test_senter_with_one_token_per_character(vocab):
    from spacy.tokens import Doc

    from campaignnlp.sentences import CampaignSentencizer
    text = "做法：一是学；二是改。  好！\n（三）\u3000督导"
    doc = CampaignSentencizer(None)(Doc(vocab, words=list(text), spaces=[False] * len(text)))
    got = [s.text.strip() for s in doc.sents]
    assert got == [text[s:e] for s, e in split_sentences(text)]


# -- the whole pipeline --------------------------------------------------------------------
def check_pipeline(nlp, batch: list[str], one_by_one: bool = True) -> None:
    if one_by_one:
        for text in batch:
            check_pipeline_doc(nlp, text, nlp(text))
    # batched: the tagger stacks the sentences of several docs (some empty) into one matrix
    for text, doc in zip(batch, nlp.pipe(batch, batch_size=2)):
        check_pipeline_doc(nlp, text, doc)


@FAST
@given(batch=st.lists(texts(), min_size=1, max_size=3))
def test_pipeline(nlp, batch):
    check_pipeline(nlp, batch)


# The long run: the same checks on shorter texts, batched only (about 4x cheaper per example;
# the fast run and test_long_documents.py cover long stretches through the whole pipeline).
@pytest.mark.slow
@SLOW
@given(batch=st.lists(texts(long_max=400, max_parts=6), min_size=1, max_size=3))
def test_pipeline_slow(nlp, batch):
    check_pipeline(nlp, batch, one_by_one=False)


@pytest.mark.parametrize("text", ["", " ", "\n\n", "。", "\x00", "\u200b", "😀", "\r\n一是\r\n",
                                  "學習教育環節" * 300, "ａｂｃ１２３。", "\ufeff好"])
def test_pipeline_edge_cases(nlp, text):
    check_pipeline(nlp, [text])
