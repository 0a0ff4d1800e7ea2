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
