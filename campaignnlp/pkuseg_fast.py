"""A faster driver for a spacy_pkuseg model: the same words as ``pkuseg.cut``, with less
Python per character.

``pkuseg.cut`` spends most of its time outside its CRF: a Python-level call per character to
build its features (a dozen strings looked up in a feature table of 200,000 entries), a
Python loop per character to assemble words, a scan of the user dictionary from every
character, and a post-processing pass that joins every window of 2..7 words to look it up in
its default dictionary, each text on its own. This driver keeps the model, its feature table,
its weights and its Viterbi decoder, and changes how they are fed, for all the sentences of a
document at once (:meth:`FastCutter.cut_many`):

* Features are built one template at a time for all characters (for models whose word
  features are limited to two-character words, such as ours: see
  :func:`campaignnlp.tokenizer.limit_word_features`). The templates of one character or one
  pair of characters come from tables of their feature ids, built from the feature table
  once.
* Node scores are summed template by template over arrays, in pkuseg's order; a missing
  feature adds a row of zeros, which leaves every sum exactly as pkuseg's.
* Each sentence is decoded by pkuseg's own Viterbi code; words begin where its tags say so,
  found by array operations.
* The user dictionary is scanned only from characters a word of it can begin with.
* The post-processing pass runs only on sentences where some window of words would merge;
  for the others its result is its input.

Every result equals ``pkuseg.cut``'s on the same text (``tests/test_pkuseg_fast.py`` checks
this on corpus text and on random text, and the node scores bit for bit;
``benchmarks/pkuseg_driver.py`` on any number of documents). What the driver does not
reproduce goes to pkuseg itself: models with POS tagging, word features longer than two
characters, pkuseg configurations other than the default, and texts with the control
characters U+0001 and U+0002 (the driver's stand-ins for pkuseg's number and letter nodes).
"""
from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate, repeat

import numpy as np

_NUM = "\x01"     # stands for pkuseg's "**Num" node
_LETTER = "\x02"  # and "**Letter"
_NODES = {_NUM: "**Num", _LETTER: "**Letter"}
_NO_WORD = "**noWord"

#: Characters per group of texts whose features are built together (and per block of one
#: longer text): bounds the arrays, about 500 bytes per character, to a few MB.
GROUP_CHARS = 8192

class FastCutter:
    """``cut(text)`` equal to ``seg.cut(text)`` for the spacy_pkuseg instance ``seg``, whose
    word features are limited to ``word_max`` characters (None: pkuseg's own limit)."""

    def __init__(self, seg, word_max: int | None = None):
        from spacy_pkuseg import feature_extractor as fx
        from spacy_pkuseg import inference

        self.seg = seg
        cfg = fx.config
        fe = seg.feature_extractor
        n_tag, n_feature = seg.n_tag, seg.n_feature
        w = np.asarray(seg.model.w, dtype=np.float64)
        # what the code below reproduces: pkuseg's default configuration, word features of
        # two characters, no POS tagging; anything else goes to pkuseg itself
        self.exact = (not getattr(seg, "postag", False) and (word_max or cfg.wordMax) == 2
                      and cfg.wordMin == 2 and cfg.wordFeature and "" not in fe.unigram
                      and len(w) == n_tag * n_tag + n_feature * n_tag
                      and seg.model.n_feature == n_feature)
        tables = _template_tables(fe.feature_to_idx, fe.unigram, len(w) // n_tag) \
            if self.exact else None
        if tables is None:
            self.exact = False
            return
        self._unigram = fe.unigram
        self._table = _node_table(fe, cfg.numLetterNorm)
        # one row of weights per feature, then the edge weights, then a row of zeros that a
        # missing feature points at
        self._rows = np.concatenate([w, np.zeros(n_tag)]).reshape(-1, n_tag)
        self._absent = len(self._rows) - 1
        self._edges = inference.getLogYY([[0]], n_tag, n_feature * n_tag, w, 1.0)[1]
        self._viterbi = inference.run_viterbi
        self._begins = np.array(["B" in seg.idx_to_tag[t] for t in range(n_tag)])
        # the user dictionary's first characters, as a character class (see _solve), and the
        # trie and its size it was made from (pkuseg only ever adds to a trie)
        self._roots: re.Pattern | None = None
        self._roots_trie, self._roots_size = None, -1
        self._node_ids, self._node_table, self._pair_ids, self._pair_table, self._ww = tables
        # the all-absent rows, for nodes and pairs without a feature
        self._no_node, self._no_pair = len(self._node_ids), len(self._pair_ids)
        post = seg.postprocesser
        self._post = post if post.do_process else None
        self._window_filter = None
        if self._post is not None:
            words = post.common_words | post.other_words if post.common_words else post.other_words
            self._window_filter = _WindowFilter(words)

    def cut(self, txt: str) -> list[str]:
        """The words of ``txt``, as ``pkuseg.cut`` returns them."""
        return self.cut_many([txt])[0]

    __call__ = cut

    def cut_many(self, texts: list[str]) -> list[list[str]]:
        """``[pkuseg.cut(t) for t in texts]``, with the CRF's inputs built for all of them at
        once (sentences of one document, say)."""
        seg = self.seg
        if not self.exact:
            return [seg.cut(t) for t in texts]
        roots = seg.preprocesser.trie.children.keys()  # the user dictionary's first characters
        plans: list[list] = []  # per text: user-dictionary words and indices into parts
        parts: list[str] = []   # the stretches the CRF cuts
        for txt in texts:
            plan: list = []
            for piece in txt.split():  # as pkuseg: whitespace separates, and is dropped
                if roots.isdisjoint(piece):
                    # no user-dictionary word can start here: solve() returns the piece whole
                    plan.append(len(parts))
                    parts.append(piece)
                    continue
                for part, word in zip(*self._solve(seg.preprocesser, piece)):
                    if word:
                        plan.append(part)
                    else:
                        plan.append(len(parts))
                        parts.append(part)
            plans.append(plan)
        # parts go to the CRF in groups of about GROUP_CHARS characters: the arrays of a group
        # take a few hundred bytes per character
        cut: list[list[str]] = []
        group: list[str] = []
        size = 0
        for part in parts:
            if size + len(part) > GROUP_CHARS and group:
                cut += self._cut_parts(group)
                group, size = [], 0
            group.append(part)
            size += len(part)
        cut += self._cut_parts(group)
        out = []
        for plan in plans:
            words: list[str] = []
            for item in plan:
                if item.__class__ is int:
                    words.extend(cut[item])
                else:
                    words.append(item)
            out.append(words)
        return out

    # -- pkuseg's Preprocesser ----------------------------------------------------------------

    def _solve(self, pre, txt: str) -> tuple[list[str], list[bool]]:
        """``pre.solve(txt)``'s parts and word flags: its longest-match scan of the user
        dictionary, begun only where a dictionary word can begin (pkuseg tries every
        character, and at any other one its scan stops at once)."""
        trie = pre.trie
        if not trie.children:
            return [txt], [False]
        if self._roots_trie is not trie or self._roots_size != len(trie.children):
            self._roots = re.compile("[" + re.escape("".join(trie.children)) + "]")
            self._roots_trie, self._roots_size = trie, len(trie.children)
        out, is_word = [], []
        n = len(txt)
        last = 0
        find = self._roots.search
        hit = find(txt)
        while hit is not None:
            i = hit.start()
            # pkuseg's walk down the trie from i, quirks included: where the walk stops
            # inside the text, the match runs to where it stopped (past the longest word)
            node, j, longest = trie, i, -1
            while True:
                node = node.children.get(txt[j])
                if node is None:
                    break
                if node.isword:
                    longest = j
                j += 1
                if j == n:
                    j = longest + 1
                    break
            if longest < 0:
                hit = find(txt, i + 1)
                continue
            if last != i:
                out.append(txt[last:i])
                is_word.append(False)
            out.append(txt[i:j])
            is_word.append(True)
            last = j
            hit = find(txt, j)
        if last < n:
            out.append(txt[last:n])
            is_word.append(False)
        return out, is_word

    # -- pkuseg's _cut ----------------------------------------------------------------------

    def _cut_parts(self, parts: list[str]) -> list[list[str]]:
        """``[postprocesser(pkuseg._cut(p)) for p in parts]``: one feature build for all
        parts, one Viterbi decoding per part, one search for words to merge."""
        if not parts:
            return []
        joined = "".join(parts)
        if _NUM in joined or _LETTER in joined:  # the driver's stand-ins: leave those to pkuseg
            seg = self.seg
            return [seg.postprocesser(seg._cut(p)) if (_NUM in p or _LETTER in p)
                    else self._cut_parts([p])[0] for p in parts]
        keyed = joined.translate(self._table)
        nodes = [_NODES.get(c, c) for c in keyed] if (_NUM in keyed or _LETTER in keyed) \
            else list(keyed)
        lengths = list(map(len, parts))
        scores = self._node_scores(nodes, lengths)
        viterbi, edges = self._viterbi, self._edges
        bounds = list(accumulate(lengths, initial=0))
        tags = [viterbi(scores[a:b], edges)[1] for a, b in zip(bounds, bounds[1:])]
        begins = self._begins[np.concatenate(tags)]
        begins[bounds[:-1]] = True  # each part's first character begins a word
        starts = np.flatnonzero(begins).tolist()
        starts.append(len(joined))
        # the words of each part: the starts from its first character to the next part's
        cuts = np.searchsorted(starts, bounds).tolist()
        words = [[joined[x:y] for x, y in zip(starts[i:j], starts[i + 1:j + 1])]
                 for i, j in zip(cuts, cuts[1:])]
        if self._post is not None:
            for part in self._parts_to_merge(joined, starts, bounds):
                words[part] = self._post.post_process(words[part], check_seperated=True)
        return words

    def _node_scores(self, nodes: list[str], lengths: list[int] | None = None) -> np.ndarray:
        """pkuseg's ``getLogYY`` node scores for ``nodes`` (parts of the given ``lengths``,
        one after another; default: one part), from the features of
        ``feature_extractor.__get_node_features_idx`` with word features of two characters:
        each template over all positions at once, summed in pkuseg's order.

        The ten templates of one node or one pair of nodes come from tables of their feature
        ids per node and per pair (one lookup in a small table instead of five in the feature
        table); the two of four nodes are looked up among the features of their template."""
        n = len(nodes)
        lengths = lengths or [n]
        absent = self._absent
        per_node = self._node_table[list(map(self._node_ids.get, nodes, repeat(self._no_node)))]
        pairs = [a + b for a, b in zip(nodes, nodes[1:])]  # pairs[i]: nodes i and i + 1
        per_pair = self._pair_table[list(map(self._pair_ids.get, pairs, repeat(self._no_pair)))]
        unigram = self._unigram
        words = [b if b in unigram else _NO_WORD for b in pairs]
        pre_in = [_NO_WORD] + words   # the word ending at each node (prelst_in)
        post_in = words + [_NO_WORD]  # the word starting there (postlst_in)
        pre_ex = ([_NO_WORD] * 2 + words[:-1])[:n]  # the word before it (prelst_ex)
        post_ex = (words[1:] + [_NO_WORD] * 2)[:n]  # the word after it (postlst_ex)
        ids = np.full((n, 13), absent, dtype=np.int32)
        ids[:, 0] = 0                          # every node has feature 0
        ids[:, 1] = per_node[:, 0]             # c.
        ids[1:, 2] = per_node[:-1, 1]          # c-1.
        ids[1:, 3] = per_pair[:, 0]            # c-1c.
        ids[:-1, 4] = per_node[1:, 2]          # c1.
        ids[:-1, 5] = per_pair[:, 1]           # cc1.
        ids[2:, 6] = per_node[:-2, 3]          # c-2.
        ids[2:, 7] = per_pair[:-1, 2]          # c-2c-1.
        ids[:-2, 8] = per_node[2:, 4]          # c2.
        ids[1:, 9] = per_pair[:, 3]            # w-1.
        ids[:-1, 10] = per_pair[:, 4]          # w1.
        if len(lengths) > 1:
            # what reaches across a part's edge is not there: pkuseg sees each part alone
            bounds = list(accumulate(lengths, initial=0))
            first = np.array(bounds[:-1])
            last = np.array(bounds[1:]) - 1
            ids[first, 2:4] = absent           # c-1., c-1c.
            ids[first, 6:8] = absent           # c-2., c-2c-1.
            ids[first, 9] = absent             # w-1.
            second = first[first + 1 <= last] + 1
            ids[second, 6:8] = absent
            ids[last, 4:6] = absent            # c1., cc1.
            ids[last, 8] = absent              # c2.
            ids[last, 10] = absent             # w1.
            ids[last[last - 1 >= first] - 1, 8] = absent
            for a, z in zip(bounds, bounds[1:]):
                pre_in[a] = pre_ex[a] = post_in[z - 1] = post_ex[z - 1] = _NO_WORD
                if z - a > 1:
                    pre_ex[a + 1] = post_ex[z - 2] = _NO_WORD
        get = self._ww.get
        ids[:, 11] = [get("ww.l." + a + "*" + b, absent) for a, b in zip(pre_ex, post_in)]
        ids[:, 12] = [get("ww.r." + a + "*" + b, absent) for a, b in zip(pre_in, post_ex)]
        # cumsum adds the features' weights one after another, as getLogYY does
        rows = self._rows
        if n <= GROUP_CHARS:
            return np.cumsum(rows[ids], axis=1)[:, -1]
        scores = np.empty((n, rows.shape[1]))  # one long part: its weights a block at a time
        for a in range(0, n, GROUP_CHARS):
            scores[a:a + GROUP_CHARS] = np.cumsum(rows[ids[a:a + GROUP_CHARS]], axis=1)[:, -1]
        return scores

    # -- pkuseg's Postprocesser -------------------------------------------------------------

    def _parts_to_merge(self, joined: str, starts: list[int], bounds: list[int]) -> set[int]:
        """The parts whose words pkuseg's post-processing would change.

        ``joined``: the parts one after another; ``starts``: where each of their words starts
        (and the end); ``bounds``: where each part starts (and the end). The post-processing
        merges a window of 2..7 words of a part that is a dictionary word, unless each of its
        words is one too. If no window of a part's words as they come would merge, the pass
        never changes them (each window it looks at is one of these), so only parts with such
        a window need it. Windows are looked up for all parts at once, by size."""
        post = self._post
        common, other = post.common_words, post.other_words
        at = np.asarray(starts)
        n = len(at) - 1
        sizes = range(2, min(7, n) + 1)
        first = np.concatenate([np.arange(n + 1 - m) for m in sizes] or [np.arange(0)])
        size = np.concatenate([np.full(n + 1 - m, m) for m in sizes] or [np.arange(0)])
        # most windows are no dictionary word, and the filter says so without making them
        hits = np.flatnonzero(self._window_filter.maybe(joined, at[first], at[first + size]))
        found: set[int] = set()
        for k, m in zip(first[hits].tolist(), size[hits].tolist()):
            a, b = starts[k], starts[k + m]
            merged = joined[a:b]
            if merged not in other and merged not in common:
                continue
            part = bisect_right(bounds, a) - 1
            if b > bounds[part + 1] or part in found:  # across parts, or known already
                continue
            window = [joined[x:y] for x, y in zip(starts[k:k + m], starts[k + 1:k + m + 1])]
            if merged in common or not all(w in common or w in other for w in window):
                found.add(part)
        return found


class _WindowFilter:
    """A Bloom filter of a set of strings, probed with many substrings of one text at once.

    Polynomial hashes (mod 2**64) of all the windows come from one prefix sum over the text.
    A window whose bit is clear is not in the set; a set bit may be a false positive (about
    one window in a hundred), so callers check hits against the set itself."""

    BITS = 26  # 8 MB of bits for pkuseg's 390,000 dictionary words
    P = 0x9E3779B97F4A7C15  # odd, so invertible mod 2**64

    def __init__(self, strings):
        self._pinv = pow(self.P, -1, 2**64)
        self._p_pow = self._pinv_pow = np.ones(1, dtype=np.uint64)
        strings = [s for s in strings if s]
        lengths = np.array([len(s) for s in strings], dtype=np.int64)
        ends = np.cumsum(lengths)
        slots = self._slots(self._hashes("".join(strings), ends - lengths, ends))
        self._bits = np.zeros(2**self.BITS // 8, dtype=np.uint8)
        np.bitwise_or.at(self._bits, slots >> 3, (1 << (slots & 7)).astype(np.uint8))

    def maybe(self, text: str, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Whether ``text[start[i]:end[i]]`` may be in the set (non-empty windows)."""
        if not len(start):
            return np.zeros(0, dtype=bool)
        slots = self._slots(self._hashes(text, start, end))
        return (self._bits[slots >> 3] >> (slots & 7).astype(np.uint8)) & 1 == 1

    def _slots(self, hashes: np.ndarray) -> np.ndarray:
        return (hashes >> np.uint64(64 - self.BITS)).astype(np.int64)

    def _hashes(self, text: str, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """sum(ord(text[j]) * P**(end - 1 - j) for j in range(start, end)), mod 2**64."""
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        n = len(codes)
        self._powers(n + 1)
        prefix = np.zeros(n + 1, dtype=np.uint64)  # sum of ord(text[j]) * P**-j for j < i
        np.cumsum(codes.astype(np.uint64) * self._pinv_pow[:n], out=prefix[1:])
        return (prefix[end] - prefix[start]) * self._p_pow[end - 1]

    def _powers(self, n: int) -> None:
        if len(self._p_pow) < n:
            size = max(n, 2 * len(self._p_pow), 4096)
            self._p_pow = _powers(self.P, size)
            self._pinv_pow = _powers(self._pinv, size)


def _powers(base: int, n: int) -> np.ndarray:
    """base**k mod 2**64 for k < n (uint64 arithmetic wraps around: that is the modulus)."""
    out = np.empty(n, dtype=np.uint64)
    out[0] = 1
    if n > 1:
        np.cumprod(np.full(n - 1, base, dtype=np.uint64), out=out[1:])
    return out


def _node_table(fe, num_letter_norm: bool) -> dict[int, str]:
    """``str.translate`` table mapping each character to its pkuseg node as one character:
    keyword characters to "&" (``keyword_rename``), then digits to _NUM and letters to
    _LETTER when the model normalises them (``_num_letter_normalize_char``)."""
    table = {ord(c): "&" for c in fe.keywords}
    if num_letter_norm:
        for c in fe.num:
            table.setdefault(ord(c), _NUM)
        for c in fe.letter:
            table.setdefault(ord(c), _LETTER)
    return table


_NODE_SLOTS = {"c": 0, "c-1": 1, "c1": 2, "c-2": 3, "c2": 4}
_PAIR_SLOTS = {"c-1c": 0, "cc1": 1, "c-2c-1": 2}
_WORD_SLOTS = {"w-1": 3, "w1": 4}
_SPECIAL_NODES = ("**Num", "**Letter")


def _template_tables(features: dict[str, int], unigram: set[str], absent: int):
    """Feature ids by template, from pkuseg's feature table ``features``:

    * per node (a character, or "**Num"/"**Letter"), the ids of its five one-node templates
      (c., c-1., c1., c-2., c2.);
    * per pair of nodes (keyed by their concatenation), the ids of its three two-node
      templates (c-1c., cc1., c-2c-1.) and, if the pair is a dictionary word, of its two word
      templates (w-1., w1.: pkuseg looks those up for dictionary words only);
    * the word-window features ("ww.l."/"ww.r."), a small table of their own.

    A node or pair without a row has no feature in any template: it gets the all-absent row,
    the last of its table. Returns None if the table holds keys this reading does not
    expect (a model built differently)."""
    nodes: dict[str, list[int]] = {}
    pairs: dict[str, list[int]] = {}
    ww: dict[str, int] = {}
    unexpected = None
    for key, i in features.items():
        name, _, rest = key.partition(".")
        slot = _NODE_SLOTS.get(name)
        if slot is not None:
            row = nodes.get(rest) or nodes.setdefault(rest, [absent] * 5)
            row[slot] = i
            continue
        slot = _PAIR_SLOTS.get(name)
        if slot is not None:
            parts = rest.split(".")
            if len(parts) != 2:  # a node with a "." in it: pkuseg renames those
                return unexpected
            pair = parts[0] + parts[1]
        elif name in _WORD_SLOTS:
            first = next((s for s in _SPECIAL_NODES if rest.startswith(s)), rest[:1])
            if not (len(rest) - len(first) == 1 or rest[len(first):] in _SPECIAL_NODES):
                return unexpected
            if rest not in unigram:
                continue
            pair, slot = rest, _WORD_SLOTS[name]
        elif name == "ww":
            ww[key] = i
            continue
        elif key == "$$":
            continue
        else:
            return unexpected
        row = pairs.get(pair) or pairs.setdefault(pair, [absent] * 5)
        row[slot] = i
    none = [[absent] * 5]
    node_table = np.array(list(nodes.values()) + none, dtype=np.int32)
    pair_table = np.array(list(pairs.values()) + none, dtype=np.int32)
    return ({node: k for k, node in enumerate(nodes)}, node_table,
            {pair: k for k, pair in enumerate(pairs)}, pair_table, ww)
