"""The shipped pipeline, as a user meets it: campaignnlp.load(), spacy.load(), campaignnlp.tag()."""
import subprocess
import sys

import numpy as np
import pytest
import spacy
from spacy.tokens import Span

import campaignnlp
from campaignnlp.labels import METHODS, STAGES

from .test_sentences import covers

TRAD = "在整改落實環節，縣委制定整改方案，建立健全長效機制。"
SIMP = "在整改落实环节，县委制定整改方案，建立健全长效机制。"


def test_pipeline_shape(nlp):
    assert nlp.lang == "zh"
    assert nlp.pipe_names == ["campaign_senter", "campaign_tagger"]
    assert nlp.tokenizer.segmenter == "pkuseg"


def test_sentences_tagged_with_codebook_labels(nlp, corpus_texts):
    for text in corpus_texts[:20]:
        doc = nlp(text)
        spans = doc.spans["campaign"]
        assert covers(text, [(s.start_char, s.end_char) for s in spans])
        for s in spans:
            assert s.label_ == s._.stage and s._.stage in STAGES
            assert set(s._.methods) <= set(METHODS)
            assert abs(sum(s._.stage_scores.values()) - 1) < 1e-3
            assert set(s._.method_scores) == set(METHODS)
            assert max(s._.stage_scores, key=s._.stage_scores.get) == s._.stage
    # extensions are visible on any Span with the sentence's offsets
    first = doc.spans["campaign"][0]
    assert Span(doc, first.start, first.end)._.stage == first._.stage


def test_empty_documents_have_no_sentences(nlp):
    for text in ["", "   ", "\n\n\t\u3000"]:
        assert len(nlp(text).spans["campaign"]) == 0


def test_offsets_index_the_input_and_traditional_tags_like_simplified(nlp):
    trad, simp = nlp(TRAD), nlp(SIMP)
    assert trad.text == TRAD
    assert [(s.start_char, s.end_char, s._.stage, s._.methods) for s in trad.spans["campaign"]] == \
           [(s.start_char, s.end_char, s._.stage, s._.methods) for s in simp.spans["campaign"]]
    assert [t.text for t in simp] == [SIMP[t.idx:t.idx + len(t)] for t in trad]


def test_context_decides_the_stage(nlp):
    doc = nlp("党的群众路线教育实践活动进入查摆问题环节。\n二、查摆问题，开展批评\n"
              "县委召开专题民主生活会，班子成员逐一对照检查，开展批评和自我批评。")
    stages = [s._.stage for s in doc.spans["campaign"]]
    assert stages[-1] == "查摆问题"
    assert "批评与自我批评" in doc.spans["campaign"][-1]._.methods


def test_tag_returns_a_dataframe():
    df = campaignnlp.tag(["一是领导带头学。二是专家授课学。", "", {"id": "x", "text": "召开民主生活会。"}])
    assert list(df.columns[:8]) == ["doc_id", "sent_index", "start", "end", "text", "stage",
                                     "stage_score", "methods"]
    assert df.doc_id.tolist() == ["0", "0", "x"]
    assert df.text.tolist() == ["一是领导带头学。", "二是专家授课学。", "召开民主生活会。"]


def test_spacy_load_in_a_fresh_process():
    code = ("import spacy, sys; nlp = spacy.load(sys.argv[1]); "
            "d = nlp('召开专题民主生活会。'); print(d.spans['campaign'][0]._.stage)")
    out = subprocess.run([sys.executable, "-c", code, str(campaignnlp.default_model_path())],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() in STAGES


def test_displacy_renders_spans(nlp):
    html = spacy.displacy.render(nlp("召开专题民主生活会。"), style="span",
                                 options={"spans_key": "campaign"})
    assert "查摆问题" in html or "其他" in html or "学习教育" in html or "整改落实" in html


def test_other_pipelines_do_not_import_the_heads():
    # spaCy imports our plugin module to resolve any factory: it must stay light
    code = ("import sys, spacy; nlp = spacy.blank('en'); nlp.add_pipe('sentencizer'); "
            "print(' '.join(m for m in ('sklearn', 'pandas', 'scipy', 'joblib', 'datasets') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_fast_features_equal_scikit_learn(nlp, corpus_texts):
    # The shipped vectorizers transform with NgramTable; the result must be what their
    # scikit-learn TfidfVectorizers give.
    import scipy.sparse as sp

    from campaignnlp.context import sentence_contexts
    from campaignnlp.features import Records, dense_features
    from campaignnlp.sentences import split_sentences

    texts = corpus_texts[:15] + ["ＡＢＣ  Hello   World\n\n\t 測試 İstanbul 😀 ", "", "。。"]
    X = Records(r for k, t in enumerate(texts)
                for r in sentence_contexts(t, split_sentences(t), doc_id=str(k)))
    tagger = nlp.get_pipe("campaign_tagger")
    vectorizers = [tagger.stage_head.sentence_model_.steps[0][1],
                   tagger.stage_head.context_vectorizer_, tagger.methods_head.vectorizer_]
    for cv in vectorizers:
        fields = cv._fields()
        expected = sp.hstack([vec.transform([r[name] for r in X]) * fields[name][1]
                              for name, vec in cv.vectorizers_.items()]
                             + [cv.dict_vectorizer_.transform(dense_features(r) for r in X)
                                * cv.dense_weight], format="csr")
        got = cv.transform(X)
        assert got.shape == expected.shape
        assert abs(got - expected).max() < 1e-6
    # one count matrix and one dense block, shared by the three vectorizers
    assert sorted(k[0] for k in X.cache) == ["dense", "ngrams"]


def test_doc_text_is_kept_and_checked(nlp):
    from spacy.tokens import Doc

    from campaignnlp.extensions import TEXT_KEY, doc_text

    text = "一是领导带头学。 二是专家授课学。\n\n召开民主生活会 "
    doc = nlp.make_doc(text)
    assert doc.user_data[TEXT_KEY] == text and doc_text(doc) == doc.text == text
    other = Doc(nlp.vocab, words=["召开", "会议"], spaces=[True, False])
    assert doc_text(other) == "召开 会议"  # not made by our tokenizer: Doc.text
    other.user_data[TEXT_KEY] = text  # user_data copied onto the wrong Doc: not trusted
    assert doc_text(other) == "召开 会议"


def test_lone_surrogate_is_a_clear_error_naming_the_offset(nlp):
    # broken JSON escapes give lone surrogates; spaCy cannot store them, so say where it is
    with pytest.raises(ValueError, match=r"lone surrogate .* at offset 7"):
        nlp("召开民主生活会\ud800。")
    df = campaignnlp.tag(["召开民主生活会\ud800。", "召开民主生活会。"], nlp=nlp)
    assert "offset 7" in df.error.iloc[0] and df.stage.iloc[1] in STAGES


def _records(corpus_texts):
    from campaignnlp.context import sentence_contexts
    from campaignnlp.features import Records
    from campaignnlp.sentences import split_sentences

    texts = corpus_texts[:12] + ["ＡＢＣ  Hello   World\n\n\t 測試 İstanbul 😀 ", "", "。。"]
    return lambda: Records(r for k, t in enumerate(texts)
                           for r in sentence_contexts(t, split_sentences(t), doc_id=str(k)))


def test_linear_prediction_equals_scikit_learn(nlp, corpus_texts):
    # The heads predict through campaignnlp.linear; scikit-learn's own predict_proba on the
    # stacked feature matrices is the reference.
    import scipy.sparse as sp

    from campaignnlp.heads import document_profile

    make = _records(corpus_texts)
    tagger = nlp.get_pipe("campaign_tagger")
    stage, methods = tagger.stage_head, tagger.methods_head
    X = make()
    P1 = stage.sentence_model_.predict_proba(X)
    M2 = sp.hstack([stage.context_vectorizer_.transform(X),
                    sp.csr_matrix(document_profile(X, P1) * stage.context_weight)], format="csr")
    expected_stage = stage.context_model_.predict_proba(M2)
    M = methods.vectorizer_.transform(X)
    expected_methods = np.column_stack(
        [np.full(len(X), m) if isinstance(m, float) else m.predict_proba(M)[:, 1] for m in methods.models_])
    for batch in (X, make(), list(make())):  # shared cache, fresh cache, a plain list
        np.testing.assert_allclose(stage.predict_proba(batch), expected_stage, atol=1e-6)
        np.testing.assert_allclose(methods.predict_proba(batch), expected_methods, atol=1e-6)
    # decision_function is transform @ W for any W
    cv = methods.vectorizer_
    W = np.random.default_rng(0).normal(size=(sum(cv.block_sizes()), 3))
    np.testing.assert_allclose(cv.decision_function(make(), W), cv.transform(make()) @ W, atol=1e-5)


def test_linear_weights_follow_a_refit():
    # The stacked weights are cached per estimator; a refit must not reuse stale ones.
    from campaignnlp.context import sentence_contexts
    from campaignnlp.heads import MethodsHead, StageHead
    from campaignnlp.sentences import codebook_units

    text = "二、学习教育环节\n集中学习党章党规。\n三、查摆问题环节\n召开民主生活会。\n四、整改落实环节\n制定整改方案。\n"
    X = [r for k in range(6) for r in sentence_contexts(text, codebook_units(text), doc_id=str(k))]
    y = ["学习教育"] * 2 + ["查摆问题"] * 2 + ["整改落实"] * 2
    Y = [[], ["理论学习"], [], ["批评与自我批评"], [], ["整改措施"]]
    stage, methods = StageHead(n_folds=2), MethodsHead(n_folds=2)
    stage.fit(X, y * 6).predict_proba(X)
    methods.fit(X, Y * 6).predict_proba(X)
    flipped = {"学习教育": "整改落实", "整改落实": "学习教育", "查摆问题": "查摆问题"}
    stage.fit(X, [flipped[s] for s in y * 6])
    methods.fit(X, [[] if m else ["督导检查"] for m in Y * 6])
    assert list(stage.predict(X[:2])) == ["整改落实", "整改落实"]
    assert list(methods.classes_) == ["督导检查"]
    assert methods.predict(X[:2]) == [["督导检查"], []]


def test_tokenizer_notes_match_what_components_would_compute(nlp, corpus_texts):
    # The tokenizer leaves its normalised view and sentence units on the Doc; the senter and
    # the tagger use them. They must equal what those components compute themselves.
    from campaignnlp.context import sentence_contexts
    from campaignnlp.extensions import UNITS_KEY, VIEW_KEY, doc_unit_starts, doc_view
    from campaignnlp.normalize import normalize
    from campaignnlp.sentences import split_sentences

    senter = nlp.get_pipe("campaign_senter")
    for text in corpus_texts[:10] + ["測試　ＡＢＣ。 一、學習\n\n二是\t查摆。", "   "]:
        doc = nlp.make_doc(text)
        assert doc_view(doc) == normalize(text)
        starts = doc_unit_starts(doc, senter.max_length)
        assert starts == [s for s, _ in split_sentences(text, max_length=senter.max_length)]
        assert doc_unit_starts(doc, senter.max_length + 1) is None  # another bound: not reused
        with_notes = [t.is_sent_start for t in senter(doc)]
        bare = nlp.make_doc(text)
        del bare.user_data[VIEW_KEY], bare.user_data[UNITS_KEY]
        assert doc_view(bare) == normalize(text)
        assert [t.is_sent_start for t in senter(bare)] == with_notes
        spans = split_sentences(text)
        assert sentence_contexts(text, spans, view=doc_view(doc)) == sentence_contexts(text, spans)


def test_tokenizer_fast_path_equals_aligning_each_word(nlp, corpus_texts):
    # Units without whitespace take their offsets from word lengths; the general path finds
    # each word in the text. Both must give the same tokens.
    from campaignnlp.normalize import normalize
    from campaignnlp.sentences import split_sentences

    tok = nlp.tokenizer
    for text in corpus_texts[:10] + ["一是 领导带头学。二是\u3000专家授课！", "ａｂｃ１２３。", "。"]:
        view, expected = normalize(text), []
        for start, end in split_sentences(text, max_length=tok.max_length):
            pos = start
            for word in tok.pkuseg_seg.cut(view[start:end]):
                found = view.find(word, pos, end)
                expected.extend((i, i + 1) for i in range(pos, found) if not text[i].isspace())
                expected.append((found, found + len(word)))
                pos = found + len(word)
            expected.extend((i, i + 1) for i in range(pos, end) if not text[i].isspace())
        assert tok.word_offsets(text) == expected


def test_heads_get_records_built_as_when_they_were_trained(tmp_path):
    """Campaign names are masked in the records since 0.2.0; a pipeline saved before says
    nothing in its cfg.json and keeps getting unmasked records."""
    import json

    from campaignnlp.components import CampaignTagger
    from campaignnlp.context import sentence_contexts
    from campaignnlp.training import save, train
    from .test_active import synthetic_docs

    docs = synthetic_docs(8)
    for d in docs:  # a campaign name opens every document (same length: the spans still fit)
        d.text = "党史学习教育" + d.text[6:]
    model = save(train(docs), tmp_path / "m")
    cfg_path = model / "campaign_tagger" / "cfg.json"
    cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
    assert cfg["context"] == {"mask_campaigns": True}
    text = "党史学习教育动员大会召开。开展集中学习。"
    spans = [(0, 13), (13, len(text))]
    for saved, mask in ((cfg, True), ({k: v for k, v in cfg.items() if k != "context"}, False)):
        cfg_path.write_text(json.dumps(saved, ensure_ascii=False), encoding="utf-8")
        tagger = CampaignTagger(spacy.blank("zh")).from_disk(model / "campaign_tagger")
        assert tagger.mask_campaigns is mask
        records = sentence_contexts(text, spans, doc_id="0", mask_campaigns=mask)
        assert (records[0]["text"] == "\ue007动员大会召开。") is mask
        d = spacy.blank("zh").make_doc(text)  # one token per character
        for i, tok in enumerate(d):
            tok.is_sent_start = i == 0 or d[i - 1].text == "。"
        _, stage_p, _ = tagger.predict([d])
        assert np.allclose(stage_p, tagger.stage_head.predict_proba(records))
