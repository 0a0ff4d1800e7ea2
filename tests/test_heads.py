"""The heads honour scikit-learn's estimator contract and learn from context."""
import numpy as np
import pytest
from sklearn.base import clone

from campaignnlp.context import sentence_contexts
from campaignnlp.heads import MethodsHead, StageHead


def _toy():
    # Our own toy documents: the same sentence takes the stage of the section it sits in.
    docs = []
    for k in range(12):
        text = ("二、学习教育环节\n组织干部开展活动。集中学习党章党规。\n"
                "三、查摆问题环节\n组织干部开展活动。召开民主生活会。\n"
                "四、整改落实环节\n组织干部开展活动。制定整改方案。\n")
        from campaignnlp.sentences import codebook_units
        bounds = codebook_units(text)
        stages = ["学习教育"] * 3 + ["查摆问题"] * 3 + ["整改落实"] * 3
        methods = [[], [], ["理论学习"], [], [], ["批评与自我批评"], [], [], ["整改措施"]]
        docs.append((sentence_contexts(text, bounds, doc_id=f"d{k}"), stages, methods))
    X = [r for d in docs for r in d[0]]
    y = [s for d in docs for s in d[1]]
    Y = [m for d in docs for m in d[2]]
    return X, y, Y


def test_stage_head_contract_and_context():
    X, y, _ = _toy()
    head = StageHead(n_folds=3)
    assert head.fit(X, y) is head
    assert list(head.classes_) == sorted(set(y))
    P = head.predict_proba(X)
    assert P.shape == (len(X), 3)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-6)
    # "组织干部开展活动。" is identical in all three sections: only context can tell them apart
    same = [i for i, r in enumerate(X) if r["text"] == "组织干部开展活动。"][:3]
    assert list(head.predict([X[i] for i in same])) == ["学习教育", "查摆问题", "整改落实"]
    assert clone(head).get_params() == head.get_params()


def test_methods_head_contract():
    X, _, Y = _toy()
    head = MethodsHead(n_folds=3)
    assert head.fit(X, Y) is head
    assert list(head.classes_) == ["批评与自我批评", "整改措施", "理论学习"]
    P = head.predict_proba(X)
    assert P.shape == (len(X), 3) and ((P >= 0) & (P <= 1)).all()
    pred = head.predict(X)
    assert pred[2] == ["理论学习"] and pred[5] == ["批评与自我批评"] and pred[0] == []


def test_unfitted_head_raises():
    with pytest.raises(Exception):
        StageHead().predict_proba([])


def _profile_reference(X, P):
    # document_profile written as the definition reads, one document at a time
    n, k = P.shape
    out = np.zeros((n, 9 * k))
    docs = {}
    for i, r in enumerate(X):
        docs.setdefault(r["doc_id"], []).append(i)
    for rows in docs.values():
        Q = P[rows]
        m = len(rows)
        for j, i in enumerate(rows):
            get = (lambda t: Q[t] if 0 <= t < m else np.zeros(k))
            lo, hi = max(j - 3, 0), min(j + 4, m)
            s = max(t for t in range(j + 1) if t == 0 or X[rows[t]]["is_heading"])
            e = min([t for t in range(j + 1, m) if X[rows[t]]["is_heading"]] + [m])
            out[i] = np.concatenate([Q[j], get(j - 1), get(j + 1), get(j - 2), Q[lo:hi].mean(0),
                                     Q[s:e].mean(0), Q[s] if s > 0 else np.zeros(k),
                                     Q.mean(0), Q.max(0)])
    return out


def test_document_profile_equals_its_definition():
    from campaignnlp.heads import document_profile

    rng = np.random.default_rng(1)
    X = []
    for d, m in enumerate([1, 2, 5, 9, 3, 12]):
        X += [{"doc_id": f"d{d}", "index": i, "is_heading": bool(rng.random() < 0.3)} for i in range(m)]
    P = rng.random((len(X), 4))
    np.testing.assert_allclose(document_profile(X, P), _profile_reference(X, P), atol=1e-6)
    assert document_profile([], np.zeros((0, 4))).shape == (0, 36)


@pytest.mark.parametrize("text,masked", [
    ("深入开展党史学习教育动员大会", "深入开展\ue007动员大会"),
    ("“两学一做”学习教育常态化", "\ue004常态化"),
    ("党的群众路线教育实践活动", "\ue000"),
    ("“不忘初心、牢记使命”主题教育", "\ue006"),
    ("学习贯彻习近平新时代中国特色社会主义思想主题教育工作会议", "\ue005工作会议"),
    ("深入学习实践科学发展观活动", "\ue001"),
    ("树立和践行正确政绩观学习教育", "\ue00a"),
    ("学习教育开展以来", "学习教育开展以来"),  # a bare stage name is no campaign name
    ("党员教育实践活动", "党员教育实践活动"),
])
def test_campaign_names_are_masked(text, masked):
    from campaignnlp.context import mask_campaign_names
    assert mask_campaign_names(text) == masked


def test_a_campaign_name_is_not_a_stage_mention():
    # codebook rule 8: 党史学习教育 names a campaign; only the second sentence names the stage
    text = "党史学习教育动员大会召开。在学习教育环节，集中学习。"
    recs = sentence_contexts(text, [(0, 13), (13, len(text))])
    assert recs[0]["mentions"]["学习教育"] == 0 and recs[0]["text"] == "\ue007动员大会召开。"
    assert recs[1]["mentions"]["学习教育"] == 1 and recs[1]["frames"]["学习教育"] == 1
    assert recs[1]["prev"] == recs[0]["text"]


def test_campaign_framing_features():
    # whether any campaign is named in the document: news that only sounds like a campaign
    # report (convention 5) names none
    from campaignnlp.features import dense_features
    text = "党史学习教育动员大会召开。集中学习。"
    spans = [(0, 13), (13, len(text))]
    named, plain = sentence_contexts(text, spans)
    assert (named["campaigns"], named["doc_campaigns"]) == (1, 1)
    assert (plain["campaigns"], plain["doc_campaigns"]) == (0, 1)
    assert "campaign_named" in dense_features(named) and "campaign_named" not in dense_features(plain)
    assert dense_features(plain)["doc_campaigns"] > 0 and "no_campaign_in_doc" not in dense_features(plain)
    news = "国务院常务会议召开。会议决定建立长效机制。"
    assert dense_features(sentence_contexts(news, [(0, 10), (10, len(news))])[1])["no_campaign_in_doc"] == 1.0
    # unmasked records (pipelines saved before masking) count nothing: their features are unchanged
    unmasked = sentence_contexts(text, spans, mask_campaigns=False)
    assert all(r["doc_campaigns"] is None for r in unmasked)
    assert not {"campaign_named", "doc_campaigns", "no_campaign_in_doc"} & set(dense_features(unmasked[1]))
