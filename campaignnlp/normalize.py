"""A normalised view of the text that keeps every character offset.

Models see simplified, half-width text; users get offsets into the text they gave. The view is
built so that ``len(normalize(t)) == len(t)`` and character ``i`` of the view stands for
character ``i`` of the input: full-width ASCII is folded to ASCII, the ideographic space to a
space, and traditional characters are converted to simplified with OpenCC, character by
character wherever a phrase conversion would change the length.
"""
from __future__ import annotations

from functools import lru_cache

_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
# Chinese sentence punctuation keeps its full-width form: the codebook's units are defined on it
# and the models were trained on it.
for _ch in "！？；：，（）":
    _FULLWIDTH.pop(ord(_ch), None)
_WIDTH_TABLE = str.maketrans(_FULLWIDTH)


@lru_cache(maxsize=1)
def _t2s():
    try:
        import opencc
    except ImportError:  # OpenCC is a dependency, but keep the library usable without it
        return None
    for config in ("t2s", "t2s.json"):
        try:
            return opencc.OpenCC(config)
        except Exception:  # noqa: BLE001 - the binding raises various errors for bad names
            continue
    return None


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" for ch in text)


def to_simplified(text: str) -> str:
    """Traditional -> simplified, length-preserving."""
    conv = _t2s()
    if conv is None or not _has_cjk(text):
        return text
    out = conv.convert(text)
    if len(out) == len(text):
        return out
    # A phrase rule changed the length somewhere: fall back to characters one at a time.
    chars = []
    for ch in text:
        c = conv.convert(ch)
        chars.append(c if len(c) == 1 else ch)
    return "".join(chars)


def normalize(text: str, simplify: bool = True) -> str:
    """Width-folded (and by default simplified) view of ``text``, same length."""
    out = text.translate(_WIDTH_TABLE)
    if simplify:
        out = to_simplified(out)
    assert len(out) == len(text)
    return out
