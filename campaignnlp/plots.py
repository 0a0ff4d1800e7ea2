"""Plots (matplotlib): stage profiles along documents, method mixes by group, confusion matrices.

Every function draws on ``ax`` (a new figure when None) and returns the Axes; none calls
``show``, so they work under the Agg backend. Labels are the codebook's Chinese when
matplotlib has a font with Chinese glyphs, English glosses (:data:`campaignnlp.labels.ENGLISH`)
otherwise; ``lang="zh"`` or ``lang="en"`` forces either.
"""
from __future__ import annotations

import contextlib
from functools import lru_cache
from typing import TYPE_CHECKING, Sequence

from .labels import ENGLISH, STAGES

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

# Families that carry Chinese glyphs, tried by name before scanning font files.
_CJK_HINTS = ("Noto Sans CJK", "Noto Serif CJK", "Source Han", "WenQuanYi", "SimHei", "SimSun",
              "Microsoft YaHei", "PingFang", "Heiti", "Hiragino Sans GB", "STHeiti", "AR PL",
              "Droid Sans Fallback", "Sarasa")
# A font counts as CJK if it has every character of the stage labels.
_PROBE = "学习教育查摆问题整改落实其他"


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of an installed font that has Chinese glyphs, or None."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    # matplotlib's own "Last Resort" font maps every code point to a placeholder box.
    fonts = [f for f in font_manager.fontManager.ttflist if "last resort" not in f.name.lower()]
    ranked = sorted(fonts, key=lambda f: not any(h.lower() in f.name.lower() for h in _CJK_HINTS))
    for f in ranked:
        try:
            font = FT2Font(f.fname)
            if all(font.get_char_index(ord(ch)) for ch in _PROBE):
                return f.name
        except Exception:  # noqa: BLE001 - unreadable font files are skipped
            continue
    return None


def use_chinese(lang: str = "auto") -> bool:
    """Whether labels are drawn in Chinese: ``lang`` "zh", "en", or "auto" (if a CJK font exists)."""
    if lang not in ("auto", "zh", "en"):
        raise ValueError(f"lang must be 'auto', 'zh' or 'en', not {lang!r}")
    return lang == "zh" or (lang == "auto" and cjk_font() is not None)


#: English names of the campaigns in the corpus's ``campaigns`` field, for plots without a
#: CJK font.
CAMPAIGNS_ENGLISH: dict[str, str] = {
    "学习实践科学发展观活动": "Scientific Outlook on Development (2008-10)",
    "群众路线教育实践活动": "Mass Line (2013-14)",
    "三严三实": "Three Stricts, Three Earnests (2015)",
    "两学一做": "Two Studies, One Action (2016-)",
    "不忘初心牢记使命主题教育": "Stay True to the Mission (2019-20)",
    "党史学习教育": "Party History (2021)",
    "学习贯彻习近平新时代中国特色社会主义思想主题教育": "Xi Thought theme education (2023)",
    "党纪学习教育": "Party Discipline (2024)",
    "主题教育(any)": "any theme education",
}


def label_text(label, lang: str = "auto") -> str:
    """How a label is written on a plot: as is in Chinese, else its English gloss (stages,
    methods, campaign names); other text is left as it is."""
    label = str(label)
    if use_chinese(lang):
        return label
    return ENGLISH.get(label) or CAMPAIGNS_ENGLISH.get(label, label)


@contextlib.contextmanager
def _fonts(lang: str):
    """Text created inside uses the CJK font when labels are Chinese."""
    import matplotlib as mpl

    font = cjk_font() if use_chinese(lang) else None
    if font is None:
        yield
        return
    with mpl.rc_context({"font.sans-serif": [font, *mpl.rcParams["font.sans-serif"]],
                         "font.family": "sans-serif", "axes.unicode_minus": False}):
        yield


def _axes(ax, size):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=size, constrained_layout=True)
    return ax


def plot_stage_profile(df: "pd.DataFrame", *, docs: Sequence[str] | None = None,
                       max_docs: int = 30, doc_label: str | None = None, ax: "Axes | None" = None,
                       lang: str = "auto") -> "Axes":
    """Stages along each document: one row per document, one bar per sentence, placed at its
    relative position (start / document length) and coloured by stage.

    ``df``: a :func:`campaignnlp.tag` frame. ``docs``: the documents to show (default: the
    first ``max_docs``). ``doc_label``: a column to name rows by (default: doc_id).
    """
    from matplotlib.patches import Patch

    from .analysis import _sentences, stage_labels
    from .display import stage_colors

    sents = _sentences(df)
    ids = list(docs) if docs is not None else list(dict.fromkeys(sents["doc_id"]))[:max_docs]
    colors = stage_colors(stage_labels(sents))
    with _fonts(lang):
        ax = _axes(ax, (9, 0.8 + 0.32 * max(len(ids), 1)))
        names = []
        for row, doc_id in enumerate(ids):
            s = sents[sents["doc_id"] == doc_id]
            length = max(int(s["end"].max()), 1) if len(s) else 1
            ax.barh([row] * len(s), (s["end"] - s["start"]) / length, left=s["start"] / length,
                    height=0.8, color=[colors[x] for x in s["stage"]], linewidth=0)
            names.append(str(s[doc_label].iloc[0]) if doc_label and len(s) else str(doc_id))
        ax.set_yticks(range(len(ids)), names, fontsize=8)
        ax.set_ylim(len(ids) - 0.5, -0.5)
        ax.set_xlim(0, 1)
        ax.set_xlabel("position in document (share of characters)")
        # Outside on the right: placement does not depend on the number of rows.
        ax.legend(handles=[Patch(color=c, label=label_text(lab, lang)) for lab, c in colors.items()],
                  loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8)
        ax.set_title("Campaign stage along each document")
    return ax


def plot_method_mix(data: "pd.DataFrame", by: str | None = None, *, kind: str = "heatmap",
                    annotate: bool = True, ax: "Axes | None" = None, lang: str = "auto",
                    **mix_kwargs) -> "Axes":
    """Method frequencies by group (campaign, year, ...).

    ``data``: a table of :func:`campaignnlp.analysis.method_mix` (groups x methods), or a
    tagged frame with ``by`` (then ``mix_kwargs`` go to ``method_mix``: ``meta=``,
    ``normalize=``, ``min_docs=``). ``kind``: "heatmap" (one cell per group and method) or
    "bar" (one stacked bar per group).
    """
    import numpy as np

    from .analysis import method_mix

    table = method_mix(data, by, **mix_kwargs) if by is not None else data
    if kind not in ("heatmap", "bar"):
        raise ValueError(f"kind must be 'heatmap' or 'bar', not {kind!r}")
    norm = table.attrs.get("normalize", "")
    n_docs = table.attrs.get("n_documents", {})
    rows = [f"{label_text(g, lang)} (n={n_docs[g]})" if g in n_docs else label_text(g, lang)
            for g in table.index]
    cols = [label_text(m, lang) for m in table.columns]
    values = table.to_numpy(dtype=float)
    unit = {"share": "share of the group's method tags", "per_100_sentences": "per 100 sentences",
            "per_doc": "per document", "count": "sentences"}.get(norm, "")
    with _fonts(lang):
        if kind == "heatmap":
            ax = _axes(ax, (1.2 + 0.55 * len(cols), 1.5 + 0.4 * len(rows)))
            im = ax.imshow(values, aspect="auto", cmap="Blues")
            ax.set_xticks(range(len(cols)), cols, rotation=45, ha="right", fontsize=8)
            ax.set_yticks(range(len(rows)), rows, fontsize=8)
            if annotate and values.size:
                top = np.nanmax(values) or 1
                fmt = "{:.0%}" if norm == "share" else ("{:.0f}" if norm == "count" else "{:.1f}")
                for (i, j), v in np.ndenumerate(values):
                    ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=6,
                            color="white" if v > 0.6 * top else "black")
            ax.figure.colorbar(im, ax=ax, label=unit, shrink=0.8)
        else:
            import matplotlib as mpl

            ax = _axes(ax, (9, 1.5 + 0.4 * len(rows)))
            cmap = mpl.colormaps["tab20"]
            left = np.zeros(len(rows))
            for j, name in enumerate(cols):
                ax.barh(range(len(rows)), values[:, j], left=left, color=cmap(j % 20), label=name)
                left += values[:, j]
            ax.set_yticks(range(len(rows)), rows, fontsize=8)
            ax.invert_yaxis()
            ax.set_xlabel(unit)
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=7, frameon=False)
        ax.set_title(f"Method mix by {table.index.name or 'group'}")
    return ax


def plot_confusion(confusion, labels: Sequence[str] | None = None, *, normalize: bool = True,
                   ax: "Axes | None" = None, lang: str = "auto") -> "Axes":
    """A confusion matrix (rows gold, columns predicted).

    ``confusion``: an evaluation result (:func:`campaignnlp.evaluation.score` or the CLI's
    ``evaluate --json``), its ``["stage"]["confusion"]`` dict (``labels`` and ``matrix``), or a
    square matrix with ``labels``. ``normalize``: colour by the share of each gold row (the
    recall of each label on the diagonal); cells show counts.
    """
    import numpy as np

    if isinstance(confusion, dict):
        if "stage" in confusion:
            confusion = confusion["stage"]["confusion"]
        labels = list(labels or confusion["labels"])
        matrix = np.asarray(confusion["matrix"], dtype=float)
    else:
        matrix = np.asarray(confusion, dtype=float)
    if labels is None or matrix.shape != (len(labels), len(labels)):
        raise ValueError(f"a {matrix.shape} matrix needs {matrix.shape[0]} labels, got {labels}")
    if set(labels) <= set(STAGES):  # evaluation sorts labels; show the codebook's order
        idx = sorted(range(len(labels)), key=lambda i: list(STAGES).index(labels[i]))
        labels, matrix = [labels[i] for i in idx], matrix[np.ix_(idx, idx)]
    shown = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1) if normalize else matrix
    names = [label_text(x, lang) for x in labels]
    with _fonts(lang):
        ax = _axes(ax, (1.8 + 0.9 * len(labels), 1.4 + 0.8 * len(labels)))
        im = ax.imshow(shown, cmap="Blues", vmin=0, vmax=1 if normalize else None)
        for (i, j), v in np.ndenumerate(matrix):
            ax.text(j, i, f"{int(v)}", ha="center", va="center", fontsize=8,
                    color="white" if shown[i, j] > 0.6 * (shown.max() or 1) else "black")
        ax.set_xticks(range(len(names)), names, rotation=30, ha="right")
        ax.set_yticks(range(len(names)), names)
        ax.set_xlabel("predicted")
        ax.set_ylabel("gold")
        ax.figure.colorbar(im, ax=ax, label="share of gold row" if normalize else "sentences",
                           shrink=0.8)
        ax.set_title("Stage confusion")
    return ax


def plot_learning_curve(curve, *, ax: "Axes | None" = None, lang: str = "auto") -> "Axes":
    """Stage macro-F1 and methods micro-F1 against the number of training documents.

    ``curve``: ``result["learning_curve"]`` of :func:`campaignnlp.evaluation.cross_validate`
    (or the whole result); bands show one standard deviation across folds.
    """
    import numpy as np

    if isinstance(curve, dict) and "learning_curve" in curve:
        curve = curve["learning_curve"]
    points = curve["points"] if isinstance(curve, dict) else list(curve)
    if not points:
        raise ValueError("the learning curve has no points")
    x = np.array([p["train_documents"] for p in points], dtype=float)
    with _fonts(lang):
        ax = _axes(ax, (6, 4))
        for key, name, color in (("stage_macro_f1", "stage macro-F1", "tab:blue"),
                                 ("methods_micro_f1", "methods micro-F1", "tab:orange")):
            y = np.array([p[key] for p in points], dtype=float)
            sd = np.array([p.get(f"{key}_std", 0.0) for p in points], dtype=float)
            ax.plot(x, y, marker="o", color=color, label=name)
            ax.fill_between(x, y - sd, y + sd, color=color, alpha=0.15, linewidth=0)
        ax.set_xlabel("training documents per fold")
        ax.set_ylabel("F1 (pooled out-of-fold)")
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right")
        ax.set_title("Learning curve (cross-validated)")
    return ax


def save_evaluation_plots(result: dict, directory, *, lang: str = "auto") -> list:
    """Write ``confusion.png`` and, when the result has one, ``learning_curve.png`` into
    ``directory``; returns the paths written."""
    from pathlib import Path

    import matplotlib
    import matplotlib.pyplot as plt

    if matplotlib.get_backend().lower() != "agg":
        plt.switch_backend("Agg")  # files only; no display needed
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, draw, wanted in (("confusion.png", lambda ax: plot_confusion(result, ax=ax, lang=lang), True),
                               ("learning_curve.png",
                                lambda ax: plot_learning_curve(result, ax=ax, lang=lang),
                                bool(result.get("learning_curve", {}).get("points")))):
        if not wanted:
            continue
        ax = draw(None)
        ax.figure.savefig(out / name, dpi=120)
        plt.close(ax.figure)
        written.append(out / name)
    return written


__all__ = ["cjk_font", "use_chinese", "label_text", "plot_stage_profile", "plot_method_mix",
           "plot_confusion", "plot_learning_curve", "save_evaluation_plots"]
