"""The notebook layer: tag() inputs and carried columns, profile(), method_mix(), render(), plots."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import campaignnlp  # noqa: E402
from campaignnlp import plots  # noqa: E402
from campaignnlp.analysis import method_mix, profile  # noqa: E402
from campaignnlp.labels import ENGLISH, METHODS, STAGES  # noqa: E402

TEXTS = [
    {"id": "a", "date": "2013-07-01", "campaigns": ["群众路线教育实践活动"], "title": "甲",
     "text": "在学习教育环节，县委中心组集中学习党章。县级领导带头深入基层调研，走访群众征求意见。"},
    {"id": "b", "date": "2019-09-10", "campaigns": ["不忘初心牢记使命主题教育", "主题教育(any)"],
     "title": "乙", "text": "在检视问题环节，班子成员召开专题民主生活会，开展批评和自我批评。"
                           "目前已解决群众反映的突出问题180多个。"},
]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt
    plt.close("all")


@pytest.fixture(scope="module")
def tagged(nlp):
    return campaignnlp.tag(TEXTS, nlp, keep=["date", "campaigns", "title"])


def _row(doc, k, start, end, stage, methods, **meta):
    return {"doc_id": doc, "sent_index": k, "start": start, "end": end, "text": "x" * (end - start),
            "stage": stage, "stage_score": 0.9, "methods": methods,
            "method_scores": {m: (0.9 if m in methods else 0.1) for m in METHODS},
            "stage_scores": {s: (0.9 if s == stage else 0.03) for s in STAGES}, **meta}


@pytest.fixture
def frame():
    """A hand-made tagged frame with known shares and counts."""
    return pd.DataFrame([
        _row("d1", 0, 0, 10, "学习教育", ["理论学习"], date="2013-05-01", campaigns=["A"]),
        _row("d1", 1, 10, 40, "其他", [], date="2013-05-01", campaigns=["A"]),
        _row("d1", 2, 40, 50, "学习教育", ["理论学习", "领导带头"], date="2013-05-01", campaigns=["A"]),
        _row("d2", 0, 0, 20, "整改落实", ["整改措施"], date="2019-10-02", campaigns=["A", "B"]),
        _row("d2", 1, 20, 40, "查摆问题", ["批评与自我批评", "整改措施"], date="2019-10-02",
             campaigns=["A", "B"]),
    ])


# -- tag(): inputs and carried columns ----------------------------------------------------------

def test_tag_keeps_named_fields_on_every_row(tagged):
    assert list(tagged.columns[:10]) == ["doc_id", "sent_index", "start", "end", "text", "stage",
                                         "stage_score", "methods", "method_scores", "stage_scores"]
    assert {"date", "campaigns", "title"} <= set(tagged.columns)
    for d in TEXTS:
        rows = tagged[tagged.doc_id == d["id"]]
        assert len(rows) >= 2
        assert (rows["date"] == d["date"]).all() and (rows["title"] == d["title"]).all()
        assert all(c == d["campaigns"] for c in rows["campaigns"])
        for r in rows.itertuples():
            assert d["text"][r.start:r.end] == r.text


def test_tag_keep_true_flattens_meta_and_reports_bad_names(nlp):
    docs = [{"id": "g1", "text": TEXTS[0]["text"], "meta": {"date": "2014-01-01", "region": "X"},
             "source": "s"}]
    df = campaignnlp.tag(docs, nlp, keep=True)
    assert set(df["date"]) == {"2014-01-01"} and set(df["region"]) == {"X"}
    assert set(df["source"]) == {"s"}
    assert "meta" not in df.columns and "date" not in campaignnlp.tag(docs, nlp).columns
    with pytest.raises(KeyError, match="nope"):
        campaignnlp.tag(docs, nlp, keep=["nope"])
    with pytest.raises(ValueError, match="clash"):
        campaignnlp.tag([{"text": TEXTS[0]["text"], "stage": "x"}], nlp, keep=["stage"])


def test_tag_dataframe_and_dataset_inputs_match_list_input(nlp, tagged):
    datasets = pytest.importorskip("datasets")
    plain = tagged.drop(columns=["date", "campaigns", "title"])
    frame_in = pd.DataFrame(TEXTS).rename(columns={"text": "body", "id": "key"})
    from_frame = campaignnlp.tag(frame_in, nlp, text_col="body", id_col="key", keep=["date"])
    ds = datasets.Dataset.from_list([{k: v for k, v in d.items() if k != "campaigns"} for d in TEXTS])
    from_ds = campaignnlp.tag(ds, nlp, keep=["date", "title"])
    for got in (from_frame, from_ds):
        pd.testing.assert_frame_equal(got[plain.columns].reset_index(drop=True),
                                      plain.reset_index(drop=True))
        assert list(got["date"]) == list(tagged["date"])
    assert list(from_ds["title"]) == list(tagged["title"])
    # No id column: ids are positions.
    ds_noid = datasets.Dataset.from_dict({"text": [d["text"] for d in TEXTS]})
    assert list(dict.fromkeys(campaignnlp.tag(ds_noid, nlp)["doc_id"])) == ["0", "1"]


def test_tag_failed_document_keeps_its_fields(nlp):
    df = campaignnlp.tag([{"id": "bad", "date": "2020-01-01"}, TEXTS[0]], nlp, keep=["date"])
    bad = df[df.doc_id == "bad"]
    assert len(bad) == 1 and "no 'text' string" in bad["error"].iloc[0]
    assert bad["date"].iloc[0] == "2020-01-01"
    assert (df[df.doc_id == "a"]["date"] == "2013-07-01").all()


# -- profile() ----------------------------------------------------------------------------------

def test_profile_shares_and_counts(frame):
    p = profile(frame).set_index("doc_id")
    assert list(p.index) == ["d1", "d2"]
    assert list(p.columns[:2 + len(STAGES)]) == ["n_sentences", "n_chars", *STAGES]
    assert p.loc["d1", "n_sentences"] == 3 and p.loc["d1", "n_chars"] == 50
    assert p.loc["d1", "学习教育"] == pytest.approx(20 / 50)
    assert p.loc["d1", "其他"] == pytest.approx(30 / 50)
    assert p.loc["d2", "整改落实"] == pytest.approx(0.5) and p.loc["d2", "学习教育"] == 0
    assert p.loc["d1", "理论学习"] == 2 and p.loc["d1", "领导带头"] == 1
    assert p.loc["d2", "整改措施"] == 2 and p.loc["d2", "建章立制"] == 0
    assert set(METHODS) <= set(p.columns)
    np.testing.assert_allclose(p[list(STAGES)].sum(axis=1), 1.0)
    assert p.loc["d2", "date"] == "2019-10-02" and p.loc["d2", "campaigns"] == ["A", "B"]


def test_profile_normalisations(frame):
    by_sent = profile(frame, stage_weight="sentences", methods="share", keep=False).set_index("doc_id")
    assert by_sent.loc["d1", "学习教育"] == pytest.approx(2 / 3)
    assert by_sent.loc["d1", "理论学习"] == pytest.approx(2 / 3)
    assert "date" not in by_sent.columns
    per_k = profile(frame, methods="per_1k_chars", keep=["date"]).set_index("doc_id")
    assert per_k.loc["d2", "整改措施"] == pytest.approx(2 * 1000 / 40)
    assert list(per_k.columns[-1:]) == ["date"]
    with pytest.raises(ValueError):
        profile(frame, methods="percent")


def test_profile_matches_the_docs(nlp, tagged):
    p = campaignnlp.profile(tagged).set_index("doc_id")
    for d in TEXTS:
        doc = nlp(d["text"])
        for stage, share in doc._.stage_profile.items():
            assert p.loc[d["id"], stage] == pytest.approx(share)
        for m in METHODS:
            assert p.loc[d["id"], m] == sum(m in s._.methods for s in doc.spans["campaign"])
        assert p.loc[d["id"], "title"] == d["title"]


def test_profile_skips_failed_documents(frame):
    failed = pd.concat([frame, pd.DataFrame([{"doc_id": "bad", "error": "boom"}])],
                       ignore_index=True)
    assert list(profile(failed)["doc_id"]) == ["d1", "d2"]


# -- method_mix() -------------------------------------------------------------------------------

def test_method_mix_by_list_column_and_year(frame):
    counts = method_mix(frame, "campaigns", normalize="count")
    assert list(counts.index) == ["A", "B"]
    assert counts.loc["A", "理论学习"] == 2 and counts.loc["A", "整改措施"] == 2
    assert counts.loc["B", "理论学习"] == 0 and counts.loc["B", "批评与自我批评"] == 1
    assert counts.attrs["n_documents"] == {"A": 2, "B": 1}
    share = method_mix(frame, "campaigns")
    np.testing.assert_allclose(share.sum(axis=1), 1.0)
    assert share.loc["B", "整改措施"] == pytest.approx(2 / 3)
    years = method_mix(frame, "year", normalize="per_100_sentences")
    assert list(years.index) == [2013, 2019]
    assert years.loc[2019, "整改措施"] == pytest.approx(100.0)
    assert method_mix(frame, "campaigns", min_docs=2).index.tolist() == ["A"]


def test_method_mix_joins_document_metadata(frame):
    bare = frame.drop(columns=["date", "campaigns"])
    meta = pd.DataFrame({"id": ["d1", "d2"], "region": ["north", "south"]})
    per_doc = method_mix(bare, "region", meta=meta, normalize="per_doc")
    assert per_doc.loc["south", "整改措施"] == 2 and per_doc.loc["north", "领导带头"] == 1
    with pytest.raises(KeyError, match="keep"):
        method_mix(bare, "campaigns")


# -- render() -----------------------------------------------------------------------------------

def test_render_html_has_one_labelled_span_per_sentence(nlp):
    from campaignnlp.display import STAGE_COLORS

    doc = nlp(TEXTS[1]["text"])
    before = [(s.start, s.end, s.label_) for s in doc.spans["campaign"]]
    html = campaignnlp.render(doc, jupyter=False)
    # displacy writes one rounded label box at the first token of each span.
    assert html.count("border-top-left-radius") == len(before) >= 2
    for s in doc.spans["campaign"]:
        assert s._.stage in html and STAGE_COLORS[s._.stage] in html
    with_methods = campaignnlp.render(doc, jupyter=False, methods=True)
    for s in doc.spans["campaign"]:
        for m in s._.methods:
            assert m in with_methods
    english = campaignnlp.render(doc, jupyter=False, methods=True, english=True)
    assert ENGLISH["批评与自我批评"] in english and "批评与自我批评 " not in english
    assert [(s.start, s.end, s.label_) for s in doc.spans["campaign"]] == before


def test_render_tags_a_text(nlp):
    html = campaignnlp.render("在查摆问题环节，县委召开专题民主生活会。", nlp, jupyter=False)
    assert "查摆问题" in html and 'class="spans"' in html


def test_render_refuses_an_untagged_doc(nlp):
    from spacy.tokens import Doc

    with pytest.raises(ValueError, match="campaign"):
        campaignnlp.render(Doc(nlp.vocab, words=["a", "b"]), jupyter=False)


# -- plots --------------------------------------------------------------------------------------

def test_stage_profile_plot_draws_each_sentence(frame):
    from matplotlib.colors import to_hex

    from campaignnlp.display import STAGE_COLORS

    ax = plots.plot_stage_profile(frame)
    assert len(ax.patches) == len(frame)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["d1", "d2"]
    assert to_hex(ax.patches[0].get_facecolor()) == STAGE_COLORS["学习教育"]
    # Positions are shares of the document: d1's third sentence starts at 40/50.
    assert ax.patches[2].get_x() == pytest.approx(0.8)
    assert len(plots.plot_stage_profile(frame, docs=["d2"]).patches) == 2


def test_method_mix_plots_have_one_cell_or_bar_per_group_and_method(frame):
    table = method_mix(frame, "campaigns")
    ax = plots.plot_method_mix(table)
    assert ax.images[0].get_array().shape == table.shape == (2, len(METHODS))
    assert len(ax.texts) == table.size
    ax = plots.plot_method_mix(frame, by="year", kind="bar", normalize="count")
    assert len(ax.patches) == 2 * len(METHODS)
    heights = sorted({round(p.get_width()) for p in ax.patches})
    assert heights == [0, 1, 2]


def test_confusion_plot_from_evaluation_result():
    from campaignnlp.evaluation import score

    gold = ["学习教育", "学习教育", "查摆问题", "其他"]
    pred = ["学习教育", "其他", "查摆问题", "其他"]
    result = score(gold, pred, [["理论学习"], [], [], []], [["理论学习"], [], [], []])
    ax = plots.plot_confusion(result, lang="en")
    n = len(result["stage"]["confusion"]["labels"])
    assert ax.images[0].get_array().shape == (n, n)
    assert sorted(int(t.get_text()) for t in ax.texts) == sorted(
        np.ravel(result["stage"]["confusion"]["matrix"]).tolist())
    # Shown in the codebook's order, not evaluation's sorted order; counts move with labels.
    assert [t.get_text() for t in ax.get_xticklabels()] == ["study", "self-examination", "other"]
    cells = {(round(t.get_position()[1]), round(t.get_position()[0])): int(t.get_text())
             for t in ax.texts}
    assert cells[(0, 0)] == 1 and cells[(0, 2)] == 1 and cells[(2, 2)] == 1 and cells[(1, 1)] == 1
    with pytest.raises(ValueError):
        plots.plot_confusion([[1, 2], [3, 4]], ["a"])


def test_labels_fall_back_to_english_without_a_cjk_font(frame, monkeypatch):
    monkeypatch.setattr(plots, "cjk_font", lambda: None)
    ax = plots.plot_method_mix(method_mix(frame, "campaigns"))
    assert [t.get_text() for t in ax.get_xticklabels()] == [ENGLISH[m] for m in METHODS]
    legend = plots.plot_stage_profile(frame).get_legend()
    assert [t.get_text() for t in legend.get_texts()] == [ENGLISH[s] for s in STAGES]
    assert plots.label_text("群众路线教育实践活动") == "Mass Line (2013-14)"
    assert plots.label_text("学习教育", lang="zh") == "学习教育"


def test_labels_are_chinese_in_the_cjk_font_when_there_is_one(frame, monkeypatch):
    monkeypatch.setattr(plots, "cjk_font", lambda: "DejaVu Sans")
    ax = plots.plot_method_mix(method_mix(frame, "campaigns"))
    ticks = ax.get_xticklabels()
    assert [t.get_text() for t in ticks] == list(METHODS)
    assert ticks[0].get_fontfamily()[0] in ("sans-serif", "DejaVu Sans")
    assert plots.label_text("学习教育", lang="en") == ENGLISH["学习教育"]


def test_cjk_font_probe_ignores_the_last_resort_font():
    font = plots.cjk_font()
    assert font is None or "last resort" not in font.lower()
    assert plots.use_chinese("en") is False and plots.use_chinese("zh") is True
    with pytest.raises(ValueError):
        plots.use_chinese("fr")
