"""Shared fixtures. Data from ../shared is read in place (never copied into the repo)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
EXAMPLES = REPO / "examples"


def pytest_report_header(config):
    return f"shared data: {SHARED} ({'present' if SHARED.exists() else 'MISSING'})"


@pytest.fixture(scope="session")
def shared() -> Path:
    if not (SHARED / "gold").exists():
        pytest.skip(f"needs the shared data at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def gold_docs(shared):
    from campaignnlp.corpus import read_annotations
    return read_annotations(sorted((shared / "gold").glob("*.jsonl")))


@pytest.fixture(scope="session")
def nlp():
    import campaignnlp
    return campaignnlp.load()


@pytest.fixture(scope="session")
def corpus_texts(shared) -> list[str]:
    texts = []
    with open(shared / "corpus" / "xwlb_campaign.jsonl", encoding="utf-8") as f:
        for line in f:
            texts.append(json.loads(line)["text"])
            if len(texts) >= 40:
                break
    return texts
