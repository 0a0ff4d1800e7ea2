"""Chinese word segmentation for campaign texts: spaCy's pkuseg tokenizer, made genre-aware.

It differs from ``spacy.zh.ChineseTokenizer`` (which it extends, keeping its serialisation of
the pkuseg model and user dictionary under ``tokenizer/``) in three ways:

* pkuseg runs on the normalised view of the text (:mod:`campaignnlp.normalize`: simplified,
  half-width), while every token keeps the characters of the input, so offsets stay exact;
* the text is cut into sentence units first (the ones ``campaign_senter`` marks) and pkuseg
  runs on each, so no token straddles a sentence boundary and no single pkuseg call sees more
  than ``max_length`` characters;
* the units of a text go through :class:`campaignnlp.pkuseg_fast.FastCutter`, which gives
  pkuseg's words (exactly) about twice as fast as ``pkuseg.cut``.

Work and memory are linear in the length of the text, so the pipeline accepts documents far
longer than spaCy's default ``nlp.max_length`` (see :data:`NLP_MAX_LENGTH`).
"""
from __future__ import annotations

import re
from itertools import accumulate
from typing import Any

from spacy.lang.zh import ChineseTokenizer
from spacy.tokens import Doc
from spacy.util import registry
from spacy.vocab import Vocab

from .extensions import TEXT_KEY, UNITS_KEY, VIEW_KEY
from .normalize import normalize
from .pkuseg_fast import FastCutter
from .sentences import DEFAULT_MAX_LENGTH, split_sentences


def limit_word_features(seg, word_max: int) -> None:
    """Make one pkuseg instance look up dictionary-word features of at most ``word_max``
    characters.

    spacy_pkuseg builds each character's features by looking up every 2..6-character string
    around it (``config.wordMax``, a module global), which dominates inference time. A model
    pruned to word features of short words (ours: 2 characters, see training/segmenter) gives
    exactly the same output with the loop limited, 2-3 times as fast. The limit is bound to
    this instance, so other pkuseg models in the process are not affected.
    """
    import copy

    from spacy_pkuseg import feature_extractor as fx

    cfg = copy.copy(fx.config)
    cfg.wordMax = word_max
    node_features = getattr(fx, "__get_node_features_idx")
    fe = seg.feature_extractor
    fe.get_node_features_idx = lambda idx, nodes: node_features(cfg, idx, nodes, fe.feature_to_idx,
                                                                fe.unigram)


class CampaignTokenizer(ChineseTokenizer):
    def __init__(self, vocab: Vocab, segmenter: str = "pkuseg", normalize_text: bool = True,
                 max_length: int = DEFAULT_MAX_LENGTH, pkuseg_word_max: int | None = None):
        super().__init__(vocab, segmenter=segmenter)
        self.normalize_text = normalize_text
        self.max_length = max_length
        self.pkuseg_word_max = pkuseg_word_max
        #: The genre's frequent words, most frequent first (see :meth:`warm_vocabulary`); set
        #: by training and saved with the tokenizer.
        self.common_words: list[str] = []
        self._warm = False

    def warm_vocabulary(self) -> int:
        """Make :attr:`common_words` permanent entries of the vocabulary; returns how many.

        Batch tagging runs in memory zones, which free the lexemes a zone created: without
        this, every zone re-creates the lexemes of the words it meets, common ones included
        (spaCy computes a dozen attributes per lexeme, about a tenth of segmentation time).
        Call it outside any memory zone (campaignnlp.batch does, before the first). It also
        builds the pkuseg driver's tables (:mod:`campaignnlp.pkuseg_fast`), a second or so,
        so that worker processes forked afterwards share them."""
        if not self._warm:
            vocab = self.vocab
            for word in self.common_words:
                vocab[word]
            self._warm = True
        if self.segmenter == "pkuseg" and self.pkuseg_seg is not None:
            self._cutter()  # built here, once, so that forked workers inherit it
        return len(self.common_words)

    def learn_common_words(self, texts, limit: int = 30_000) -> list[str]:
        """Set :attr:`common_words` to the ``limit`` most frequent tokens of ``texts``
        (whitespace-free; ties in order of first appearance)."""
        counts: dict[str, int] = {}
        for text in texts:
            for start, end in self.word_offsets(text):
                word = text[start:end]
                counts[word] = counts.get(word, 0) + 1
        ranked = sorted(counts, key=counts.__getitem__, reverse=True)  # stable: ties keep order
        self.common_words = ranked[:limit]
        self._warm = False
        return self.common_words

    def _apply_word_max(self) -> None:
        if self.pkuseg_seg is not None and self.pkuseg_word_max:
            limit_word_features(self.pkuseg_seg, self.pkuseg_word_max)
        self._fast = None

    def _cutter(self) -> FastCutter:
        """The driver that runs :attr:`pkuseg_seg` (built on first use: it is derived data,
        remade whenever the pkuseg model is loaded)."""
        fast = getattr(self, "_fast", None)
        if fast is None or fast.seg is not self.pkuseg_seg:
            fast = self._fast = FastCutter(self.pkuseg_seg, self.pkuseg_word_max)
        return fast

    def initialize(self, get_examples=None, *, nlp=None, pkuseg_model=None, pkuseg_user_dict="default"):
        super().initialize(get_examples, nlp=nlp, pkuseg_model=pkuseg_model,
                           pkuseg_user_dict=pkuseg_user_dict)
        self._apply_word_max()

    def from_disk(self, path, **kwargs):
        super().from_disk(path, **kwargs)
        self._apply_word_max()
        return self

    def from_bytes(self, data, **kwargs):
        super().from_bytes(data, **kwargs)
        self._apply_word_max()
        return self

    def word_offsets(self, text: str) -> list[tuple[int, int]]:
        """``(start, end)`` of each token of ``text``, in order; whitespace is in none of them
        and every other character is in exactly one."""
        if self.segmenter != "pkuseg":
            return [(t.idx, t.idx + len(t)) for t in super().__call__(text) if not t.is_space]
        return self._segment(text)[0]

    def _segment(self, text: str) -> tuple[list[tuple[int, int]], str, list[tuple[int, int]]]:
        """Token offsets, the normalised view and the sentence units of ``text`` (pkuseg)."""
        if self.pkuseg_seg is None:
            raise ValueError(
                "The pkuseg segmenter has no model. Load a trained pipeline with "
                "campaignnlp.load() or call nlp.initialize() with a pkuseg_model path."
            )
        view = normalize(text) if self.normalize_text else text
        offsets: list[tuple[int, int]] = []
        units = split_sentences(text, max_length=self.max_length)
        # Units are cut on the text itself, as campaign_senter cuts them, so that no token
        # straddles a sentence boundary; pkuseg reads the same stretch of the normalised view.
        cut = self._cutter().cut_many([view[start:end] for start, end in units])
        for (start, end), words in zip(units, cut):
            unit = view[start:end]
            if not _SPACE.search(unit) and "" not in words:
                # the common case: pkuseg returns the unit's characters in order, all of them
                ends = list(accumulate(map(len, words), initial=start))
                if ends[-1] == end:
                    offsets.extend(zip(ends, ends[1:]))
                    continue
            pos = start
            for word in words:
                if not word or word.isspace():
                    continue
                found = view.find(word, pos, end)
                if found < 0:  # pkuseg never rewrites characters; guard against it anyway
                    break
                # characters pkuseg dropped (it may skip some) still need a token each
                offsets.extend((i, i + 1) for i in range(pos, found) if not text[i].isspace())
                offsets.append((found, found + len(word)))
                pos = found + len(word)
            offsets.extend((i, i + 1) for i in range(pos, end) if not text[i].isspace())
        return offsets, view, units

    def words(self, text: str) -> list[str]:
        """The tokens of ``text`` as substrings of it (whitespace not included)."""
        return [text[s:e] for s, e in self.word_offsets(text)]

    def __call__(self, text: str) -> Doc:
        bad = _SURROGATE.search(text)
        if bad:  # spaCy stores strings as UTF-8, which has no lone surrogates
            raise ValueError(f"the text has a lone surrogate {bad.group()!r} at offset {bad.start()}: "
                             "not valid Unicode (often broken JSON escapes); repair or drop it")
        if self.segmenter != "pkuseg":
            offsets, view, units = self.word_offsets(text), None, None
        else:
            offsets, view, units = self._segment(text)
        words, spaces = words_and_spaces(text, offsets)
        doc = Doc(self.vocab, words=words, spaces=spaces)
        # notes for the pipeline's components, so they need not redo the work (see doc_text)
        doc.user_data[TEXT_KEY] = text
        if view is not None and self.normalize_text:
            doc.user_data[VIEW_KEY] = view
        if units is not None:
            doc.user_data[UNITS_KEY] = (self.max_length, [s for s, _ in units])
        return doc

    def _get_config(self) -> dict[str, Any]:
        return {"segmenter": self.segmenter, "normalize_text": self.normalize_text,
                "max_length": self.max_length, "pkuseg_word_max": self.pkuseg_word_max,
                "common_words": self.common_words}

    def _set_config(self, config: dict[str, Any] = {}) -> None:  # noqa: B006 - spaCy's signature
        self.segmenter = config.get("segmenter", "pkuseg")
        self.normalize_text = config.get("normalize_text", True)
        # max_length is kept as built: config.cfg has it too, and this way a config override at
        # load time (to match campaign_senter's) takes effect
        self.pkuseg_word_max = config.get("pkuseg_word_max")
        self.common_words = list(config.get("common_words", []))
        self._warm = False


_SURROGATE = re.compile("[\ud800-\udfff]")
_SPACE = re.compile(r"\s")


def words_and_spaces(text: str, offsets: list[tuple[int, int]]) -> tuple[list[str], list[bool]]:
    """Doc words and spaces from token offsets, as ``spacy.util.get_words_and_spaces`` makes
    them (one trailing " " is the token's space, other whitespace becomes whitespace tokens),
    in linear time: spaCy's version re-slices the rest of the text for every word, which is
    quadratic and takes minutes on a megabyte-long document."""
    n = len(text)
    if not offsets:
        return ([text], [False]) if text else ([], [])
    words: list[str] = []
    spaces: list[bool] = []
    if offsets[0][0] > 0:  # leading whitespace
        words.append(text[:offsets[0][0]])
        spaces.append(False)
    ends = [e for _, e in offsets]
    nexts = [s for s, _ in offsets[1:]]
    nexts.append(n)
    done = 0
    # only the tokens followed by whitespace need care; the others are sliced in runs
    for k in [k for k, (e, nx) in enumerate(zip(ends, nexts)) if e != nx]:
        words.extend([text[s:e] for s, e in offsets[done:k + 1]])
        spaces.extend([False] * (k - done))
        e, nx = ends[k], nexts[k]
        if text[e] == " ":
            spaces.append(True)
            e += 1
        else:
            spaces.append(False)
        if e < nx:
            words.append(text[e:nx])
            spaces.append(False)
        done = k + 1
    words.extend([text[s:e] for s, e in offsets[done:]])
    spaces.extend([False] * (len(offsets) - done))
    return words, spaces


#: Longest text ``nlp`` accepts, in characters (spaCy's ``nlp.max_length``, default 10**6, is
#: there for parsers whose memory grows much faster than the text). Here work and memory are
#: linear in the text: pkuseg sees one bounded unit at a time. 10M characters is about 30 MB of
#: Chinese in UTF-8, which takes about 4 GB of memory at the ~120 MB per MB that
#: benchmarks/long_document.py measures.
NLP_MAX_LENGTH = 10_000_000


@registry.tokenizers("campaignnlp.ChineseTokenizer.v1")
def create_campaign_tokenizer(segmenter: str = "pkuseg", normalize_text: bool = True,
                              max_length: int = DEFAULT_MAX_LENGTH,
                              pkuseg_word_max: int | None = None,
                              nlp_max_length: int = NLP_MAX_LENGTH):
    def factory(nlp):
        # spaCy builds the tokenizer from the nlp object it belongs to: the one place a config
        # (and so spacy.load, campaignnlp.load and the CLI alike) can set nlp.max_length.
        nlp.max_length = nlp_max_length
        return CampaignTokenizer(nlp.vocab, segmenter=segmenter, normalize_text=normalize_text,
                                 max_length=max_length, pkuseg_word_max=pkuseg_word_max)

    return factory
