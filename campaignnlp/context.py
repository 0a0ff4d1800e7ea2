"""What a sentence's label depends on besides its own words.

Codebook rule 1 makes context decide the stage: the section heading above a sentence, an
explicit stage frame near it (在分析检查阶段, 整改落实环节), the document's overall framing. This
module turns a text and its sentence spans into one plain record per sentence carrying that
context. Campaign names are masked first (:func:`mask_campaign_names`): rule 8 says a name
such as 党史学习教育 does not decide the stage, so its words must not count as stage cues.
Records are the input ``X`` of the heads (:mod:`campaignnlp.heads`), so the same
function serves training (gold spans) and tagging (the sentencizer's spans).
"""
from __future__ import annotations

import re
from bisect import bisect_right
from typing import Sequence

from .normalize import normalize

# Names each stage goes by across campaigns (codebook section 1, third column).
STAGE_NAMES: dict[str, tuple[str, ...]] = {
    "学习教育": ("学习教育", "听取意见", "学习调研", "学习培训", "解放思想讨论", "学习动员", "理论学习",
             "调查研究"),
    "查摆问题": ("查摆问题", "开展批评", "分析检查", "分析评议", "检视问题", "对照检查", "查摆"),
    "整改落实": ("整改落实", "建章立制", "整改提高", "检视整改", "推动发展", "整改"),
}
# Typical cues of each method (codebook section 2, "typical cues" column, plus close variants).
METHOD_CUES: dict[str, tuple[str, ...]] = {
    "理论学习": ("集中学习", "个人自学", "自学", "中心组", "读书班", "必读", "学习笔记", "课时", "研读", "学原文",
             "原著", "学习贯彻", "学习领会", "专题学习", "集体学习", "理论学习", "读原著", "学习研讨"),
    "专题辅导": ("授课", "讲座", "辅导报告", "党课", "宣讲", "培训班", "轮训", "辅导", "培训", "报告会"),
    "典型教育": ("典型", "榜样", "焦裕禄", "谷文昌", "警示教育", "反面", "专题片", "纪录片", "纪念馆", "教育基地",
             "案例", "先进事迹", "楷模", "廖俊波", "杨善洲"),
    "交流研讨": ("交流研讨", "专题讨论", "大讨论", "研讨", "心得", "重点发言", "座谈研讨", "演讲", "交流发言"),
    "调查研究": ("调研", "深入基层", "下基层", "走访", "联系点", "蹲点", "观摩", "四下基层", "调查研究", "实地"),
    "征求意见": ("征求意见", "听取意见", "问卷", "意见箱", "热线", "座谈会", "谈心", "开门", "意见建议", "征集"),
    "批评与自我批评": ("民主生活会", "组织生活会", "批评", "对照检查", "分析检查", "剖析", "查摆", "提点", "检视",
                "红红脸", "出出汗"),
    "民主评议": ("民主评议", "测评", "评议", "满意度", "满意率", "评估"),
    "整改措施": ("整改", "立行立改", "即知即改", "专项整治", "整治", "交办", "销号", "已解决", "边学边改", "清单"),
    "建章立制": ("建章立制", "制度", "长效机制", "规章", "废改立", "机制", "常态化", "规定"),
    "为民服务": ("办实事", "结对帮扶", "帮扶", "惠民", "群众困难", "为群众", "为民", "急难愁盼", "民生"),
    "督导检查": ("督导", "指导组", "巡回", "督查", "抽查", "回头看", "巡视", "指导检查"),
    "宣传引导": ("报道", "专栏", "简报", "网站", "微信", "标语", "发稿", "氛围", "宣传", "媒体", "评论员"),
    "组织部署": ("动员大会", "工作会议", "部署", "领导小组", "办公室", "实施方案", "抽调", "明确责任", "动员",
             "印发", "通知", "召开"),
    "领导带头": ("领导带头", "带头", "率先垂范", "以身作则", "示范带动", "一把手", "以上率下", "主要负责同志"),
}
_METHOD_RE = {m: re.compile("|".join(sorted(c, key=len, reverse=True))) for m, c in METHOD_CUES.items()}

_STAGE_RE = {stage: re.compile("|".join(sorted(names, key=len, reverse=True)))
             for stage, names in STAGE_NAMES.items()}
# An explicit frame: a stage name followed by 环节/阶段 (在学习教育环节, 分析检查阶段).
_FRAME_RE = {stage: re.compile(rf"(?:{rx.pattern})(?:、[^，。]{{0,8}})?(?:环节|阶段)")
             for stage, rx in _STAGE_RE.items()}
_TERMINAL = set("。！？!?")

# Campaign names (codebook rule 8: a name containing 学习教育 does not by itself decide the
# stage). Each name becomes one private-use character, distinct per campaign, so the models
# still see which campaign is meant but its words (学习, 教育, 实践) stop reading as stage cues.
_Q = "[“\"「]?"
_QE = "[”\"」]?"
CAMPAIGN_NAMES: tuple[tuple[str, str], ...] = (
    ("群众路线", r"(?:党的)?群众路线教育实践活动|群众路线教育|(?<![\u4e00-\u9fff])教育实践活动"),
    ("科学发展观", r"(?:深入)?学习实践科学发展观活动|学习实践活动"),
    ("先进性教育", r"(?:保持共产党员)?先进性教育(?:活动)?"),
    ("三严三实", rf"{_Q}三严三实{_QE}专题教育"),
    ("两学一做", rf"{_Q}两学一做{_QE}(?:学习教育)?"),
    ("学思想主题教育", r"学习贯彻习近平新时代中国特色社会主义思想主题教育"),
    ("不忘初心", rf"{_Q}不忘初心、?牢记使命{_QE}主题教育|主题教育"),
    ("党史学习教育", r"党史学习教育"),
    ("党纪学习教育", r"党纪学习教育"),
    ("八项规定学习教育", r"(?:深入贯彻)?中央八项规定精神学习教育"),
    ("政绩观学习教育", r"(?:树立和践行)?正确政绩观学习教育"),  # 2026; new names go last: a name's character is its index
)
_CAMPAIGN_RE = re.compile("|".join(f"(?P<c{i}>{rx})" for i, (_, rx) in enumerate(CAMPAIGN_NAMES)))
_PLACEHOLDERS = re.compile(f"[\ue000-{chr(0xE000 + len(CAMPAIGN_NAMES) - 1)}]")  # masked campaign names
_SEP = "\ue0ff"  # joins a document's sentences for one scan; no campaign pattern crosses it


def _placeholder(m: re.Match) -> str:
    return chr(0xE000 + int(m.lastgroup[1:]))


def mask_campaign_names(text: str) -> str:
    """Each campaign name replaced by its campaign's placeholder character (U+E000 + its
    position in :data:`CAMPAIGN_NAMES`)."""
    return _CAMPAIGN_RE.sub(_placeholder, text)


def _mask_all(sents: list[str]) -> list[str]:
    if any(_SEP in s for s in sents):
        return [mask_campaign_names(s) for s in sents]
    return mask_campaign_names(_SEP.join(sents)).split(_SEP)


_LIST_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}[、是]|（[一二三四五六七八九十]{1,3}）|"
                           r"\d{1,2}[、.．]|第[一二三四五六七八九十]{1,3}[，、])")
HEADING_MAX = 40


def is_heading(sentence: str) -> bool:
    """A short unit without sentence-final punctuation, or a short numbered item."""
    s = sentence.strip()
    if not s or len(s) > HEADING_MAX:
        return False
    if s[-1] not in _TERMINAL and not s.endswith(("”", "’", "」")):
        return True
    return bool(_LIST_HEADING.match(s)) and len(s) <= 20


def stage_mentions(text: str) -> dict[str, int]:
    return {stage: len(rx.findall(text)) for stage, rx in _STAGE_RE.items()}


def stage_frames(text: str) -> dict[str, int]:
    return {stage: len(rx.findall(text)) for stage, rx in _FRAME_RE.items()}


def method_cues(text: str) -> dict[str, int]:
    return {m: len(rx.findall(text)) for m, rx in _METHOD_RE.items()}


def _counts_per_sentence(sents: Sequence[str], patterns: dict[str, re.Pattern]) -> list[dict[str, int]]:
    """``{name: len(rx.findall(sentence))}`` for each sentence, with one scan of the document
    per pattern. Sentences are joined by 。, which no pattern can match or cross (cues are
    literal words; a frame's gap excludes ，。), so the counts are exactly the per-sentence
    ones."""
    starts, pos = [], 0
    for s in sents:
        starts.append(pos)
        pos += len(s) + 1
    joined = "。".join(sents)
    out = [dict.fromkeys(patterns, 0) for _ in sents]
    for name, rx in patterns.items():
        for m in rx.finditer(joined):
            out[bisect_right(starts, m.start()) - 1][name] += 1
    return out


def sentence_contexts(text: str, spans: Sequence[tuple[int, int]], doc_id: str = "",
                      view: str | None = None, mask_campaigns: bool = True) -> list[dict]:
    """One record per span: the sentence, its neighbours, heading, title and stage cues.
    ``view``: ``normalize(text)``, if the caller has it already. ``mask_campaigns``: mask
    campaign names (heads trained before campaignnlp masked them read unmasked records)."""
    if view is None or len(view) != len(text):
        view = normalize(text)
    sents = [view[s:e] for s, e in spans]
    if mask_campaigns and sents:
        sents = _mask_all(sents)
    n = len(sents)
    headings = [is_heading(s) for s in sents]
    frames = _counts_per_sentence(sents, _FRAME_RE)
    mentions = _counts_per_sentence(sents, _STAGE_RE)
    cues = _counts_per_sentence(sents, _METHOD_RE)
    doc_frames = {k: sum(f[k] for f in frames) for k in STAGE_NAMES}
    # campaign names (masked records only): whether a campaign frames the document at all
    # tells campaign reports from news that merely sounds like them (rules 2 and 8)
    campaigns = [len(_PLACEHOLDERS.findall(s)) if mask_campaigns else 0 for s in sents]
    doc_campaigns = sum(campaigns)
    doc_mentions = {k: sum(m[k] for m in mentions) for k in STAGE_NAMES}
    title = sents[0] if n and headings[0] else ""
    records = []
    current_heading, heading_frames = "", {k: 0 for k in STAGE_NAMES}
    last_frame = {k: 0 for k in STAGE_NAMES}
    for i, sent in enumerate(sents):
        if headings[i] and i > 0:
            current_heading = sent
            heading_frames = {k: frames[i][k] + mentions[i][k] for k in STAGE_NAMES}
        if any(frames[i].values()):
            last_frame = frames[i]
        records.append({
            "doc_id": doc_id,
            "index": i,
            "n_sents": n,
            "text": sent,
            "prev": sents[i - 1] if i > 0 else "",
            "next": sents[i + 1] if i + 1 < n else "",
            "heading": current_heading if i > 0 else "",
            "title": title,
            "is_heading": headings[i],
            "frames": frames[i],
            "method_cues": cues[i],
            "mentions": mentions[i],
            "heading_frames": heading_frames,
            "recent_frame": last_frame,
            "doc_frames": doc_frames,
            "doc_mentions": doc_mentions,
            "campaigns": campaigns[i],
            "doc_campaigns": doc_campaigns if mask_campaigns else None,
        })
    return records
