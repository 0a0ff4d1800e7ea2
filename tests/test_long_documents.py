"""Documents longer than spaCy's default limit (10**6 characters) tag, in bounded pieces.

The timing (linear in the length) is measured by benchmarks/long_document.py, not asserted.
"""
import json
import random
import subprocess
import sys

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.util import get_words_and_spaces

import campaignnlp
from campaignnlp.tokenizer import NLP_MAX_LENGTH, words_and_spaces

CHARS = "学习教育查摆问题整改落实县委召开专题民主生活会班子成员开展批评和自我批评"


def test_pipelines_accept_long_documents(nlp):
    assert nlp.max_length == NLP_MAX_LENGTH > 10**6
    assert spacy.load(campaignnlp.default_model_path()).max_length == NLP_MAX_LENGTH


def test_a_document_over_a_million_characters_tags(nlp):
    """Mostly whitespace, so it is quick: the length check and every step see 1.2M characters."""
    text = "县委召开专题民主生活会。" + "\u3000 \n" * 400_000 + "整改落实" * 10
    assert len(text) > 1_200_000
    doc = nlp(text)
    assert [s.text for s in doc.spans["campaign"]] == ["县委召开专题民主生活会。", "整改落实" * 10]
    assert "".join(t.text_with_ws for t in doc) == text


@settings(max_examples=200, deadline=None, database=None)
@given(st.text(st.sampled_from("学习 教育\n\n  。a\u3000\t b"), max_size=60))
def test_linear_words_and_spaces_match_spacy(nlp, text):
    """Our linear-time Doc construction gives exactly what spaCy's (quadratic) one gives."""
    offsets = nlp.tokenizer.word_offsets(text)
    assert words_and_spaces(text, offsets) == get_words_and_spaces([text[s:e] for s, e in offsets], text)


@pytest.mark.slow
def test_a_long_unpunctuated_document_through_load_and_the_cli(nlp, tmp_path):
    rng = random.Random(0)
    text = "".join(rng.choice(CHARS) for _ in range(1_200_000))
    doc = nlp(text)
    sents = doc.spans["campaign"]
    max_length = nlp.get_pipe("campaign_senter").max_length
    assert len(sents) >= len(text) // max_length and max(len(s.text) for s in sents) <= max_length
    src, out = tmp_path / "long.txt", tmp_path / "out.jsonl"
    src.write_text(text, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "campaignnlp", "tag", str(src), "-o", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    (record,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(s["start"], s["end"]) for s in record["sentences"]] == [
        (s.start_char, s.end_char) for s in sents]


def test_the_bound_is_configurable_for_tokenizer_and_senter_together():
    from campaignnlp.sentences import split_sentences
    nlp = campaignnlp.load(config={"nlp": {"tokenizer": {"max_length": 50}},
                                   "components": {"campaign_senter": {"max_length": 50}}})
    assert nlp.tokenizer.max_length == nlp.get_pipe("campaign_senter").max_length == 50
    text = "学习教育" * 100 + "，整改落实" * 30
    doc = nlp(text)
    spans = [(s.start_char, s.end_char) for s in doc.spans["campaign"]]
    assert spans == split_sentences(text, max_length=50) and max(e - s for s, e in spans) <= 50
