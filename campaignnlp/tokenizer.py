"""Chinese word segmentation for campaign texts: spaCy's pkuseg tokenizer, made genre-aware.

It differs from ``spacy.zh.ChineseTokenizer`` (which it extends, keeping its serialisation of
the pkuseg model and user dictionary under ``tokenizer/``) in two ways:

* pkuseg runs on the normalised view of the text (:mod:`campaignnlp.normalize`: simplified,
  half-width), while every token keeps the characters of the input, so offsets stay exact;
* the text is cut into sentence units first and pkuseg runs on each, so no token straddles a
  sentence boundary and no single pkuseg call sees more than ``max_length`` characters.
"""
from __future__ import annotations

from typing import Any

from spacy import util
from spacy.lang.zh import ChineseTokenizer
from spacy.tokens import Doc
from spacy.util import registry
from spacy.vocab import Vocab

from .normalize import normalize
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

    def _apply_word_max(self) -> None:
        if self.pkuseg_seg is not None and self.pkuseg_word_max:
            limit_word_features(self.pkuseg_seg, self.pkuseg_word_max)

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

    def words(self, text: str) -> list[str]:
        """The tokens of ``text`` as substrings of it (whitespace not included)."""
        if self.segmenter != "pkuseg":
            return [t.text for t in super().__call__(text) if not t.is_space]
        if self.pkuseg_seg is None:
            raise ValueError(
                "The pkuseg segmenter has no model. Load a trained pipeline with "
                "campaignnlp.load() or call nlp.initialize() with a pkuseg_model path."
            )
        view = normalize(text) if self.normalize_text else text
        words: list[str] = []
        for start, end in split_sentences(view, max_length=self.max_length):
            pos = start
            for word in self.pkuseg_seg.cut(view[start:end]):
                found = view.find(word, pos, end)
                if found < 0:  # pkuseg never rewrites characters; guard against it anyway
                    words.extend(ch for ch in text[pos:end] if not ch.isspace())
                    pos = end
                    break
                words.append(text[found:found + len(word)])
                pos = found + len(word)
        return words

    def __call__(self, text: str) -> Doc:
        words, spaces = util.get_words_and_spaces(self.words(text), text)
        return Doc(self.vocab, words=words, spaces=spaces)

    def _get_config(self) -> dict[str, Any]:
        return {"segmenter": self.segmenter, "normalize_text": self.normalize_text,
                "max_length": self.max_length, "pkuseg_word_max": self.pkuseg_word_max}

    def _set_config(self, config: dict[str, Any] = {}) -> None:  # noqa: B006 - spaCy's signature
        self.segmenter = config.get("segmenter", "pkuseg")
        self.normalize_text = config.get("normalize_text", True)
        self.max_length = config.get("max_length", DEFAULT_MAX_LENGTH)
        self.pkuseg_word_max = config.get("pkuseg_word_max")


@registry.tokenizers("campaignnlp.ChineseTokenizer.v1")
def create_campaign_tokenizer(segmenter: str = "pkuseg", normalize_text: bool = True,
                              max_length: int = DEFAULT_MAX_LENGTH,
                              pkuseg_word_max: int | None = None):
    def factory(nlp):
        return CampaignTokenizer(nlp.vocab, segmenter=segmenter, normalize_text=normalize_text,
                                 max_length=max_length, pkuseg_word_max=pkuseg_word_max)

    return factory
