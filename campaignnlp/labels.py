"""The codebook's label set (../shared/codebook.md, v1.3) with English glosses.

A trained pipeline carries its own label set (learned from its annotations); these are the
defaults and the reference for validating codebook data.
"""
from __future__ import annotations

CODEBOOK_VERSION = "1.3"

#: Stage labels in codebook order, with English glosses.
STAGES: dict[str, str] = {
    "学习教育": "study and education (learning, research, hearing opinions)",
    "查摆问题": "self-examination (finding, listing, criticising problems)",
    "整改落实": "rectification (fixing problems, building institutions, results)",
    "其他": "other (background, mobilisation, overviews, titles, web debris)",
}

#: Method labels in codebook order, with English glosses.
METHODS: dict[str, str] = {
    "理论学习": "theory study (collective or individual study of texts)",
    "专题辅导": "lectures and briefings",
    "典型教育": "education by positive or negative examples",
    "交流研讨": "discussion and exchange among cadres",
    "调查研究": "field research, going to the grassroots",
    "征求意见": "soliciting opinions",
    "批评与自我批评": "criticism and self-criticism (democratic life meetings)",
    "民主评议": "democratic evaluation and rating",
    "整改措施": "rectification measures",
    "建章立制": "rules, systems and long-term mechanisms",
    "为民服务": "direct services to citizens",
    "督导检查": "supervision and inspection from above",
    "宣传引导": "publicity and media",
    "组织部署": "organisation and mobilisation",
    "领导带头": "leaders setting the example",
}

OTHER = "其他"

#: Short English names, handy for plots without a CJK font.
ENGLISH: dict[str, str] = {
    "学习教育": "study", "查摆问题": "self-examination", "整改落实": "rectification", "其他": "other",
    "理论学习": "theory study", "专题辅导": "lectures", "典型教育": "exemplars",
    "交流研讨": "discussion", "调查研究": "field research", "征求意见": "soliciting opinions",
    "批评与自我批评": "criticism", "民主评议": "evaluation", "整改措施": "rectification measures",
    "建章立制": "institution building", "为民服务": "service to citizens",
    "督导检查": "supervision", "宣传引导": "publicity", "组织部署": "organisation",
    "领导带头": "leaders' example",
}
