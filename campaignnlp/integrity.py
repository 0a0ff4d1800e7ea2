"""Checksums and version checks for pipeline directories.

Loading a pipeline unpickles its heads (joblib is pickle), and unpickling runs code: only load
pipelines you trust. Checksums catch corrupted or swapped files before anything is unpickled;
they are no defence against someone who can rewrite both the files and the manifest.
"""
from __future__ import annotations

import hashlib
import json
import warnings
from pathlib import Path

MANIFEST = "manifest.json"


class VersionSkewWarning(UserWarning):
    pass


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def checksums(root: Path) -> dict[str, str]:
    """sha256 of every file below ``root`` except the manifest itself, by relative path."""
    root = Path(root)
    return {p.relative_to(root).as_posix(): sha256_file(p)
            for p in sorted(root.rglob("*")) if p.is_file() and p.name != MANIFEST}


def verify_pipeline(root: Path) -> dict:
    """Check every file listed in ``root/manifest.json``; raise naming the first bad one."""
    root = Path(root)
    mpath = root / MANIFEST
    if not mpath.exists():
        raise FileNotFoundError(f"{mpath}: no manifest; not a campaignnlp pipeline directory")
    manifest = json.loads(mpath.read_text(encoding="utf-8"))
    for rel, digest in manifest.get("checksums", {}).items():
        f = root / rel
        if not f.exists():
            raise FileNotFoundError(f"{f}: listed in the manifest but missing; nothing was loaded")
        if sha256_file(f) != digest:
            raise ValueError(f"{f}: checksum mismatch with {mpath}; nothing was loaded")
    return manifest


def check_versions(saved: dict, where: str = "") -> None:
    """One warning if the pipeline was saved with other scikit-learn / spaCy versions."""
    import sklearn
    import spacy

    current = {"scikit-learn": sklearn.__version__, "spacy": spacy.__version__}
    skew = {k: (saved[k], v) for k, v in current.items() if k in saved and saved[k] != v}
    if skew:
        what = ", ".join(f"{k} {a} (installed: {b})" for k, (a, b) in skew.items())
        warnings.warn(f"{where}: pipeline saved with {what}. Predictions may differ: retrain with "
                      "`campaignnlp train`, or install the versions it was saved with.",
                      VersionSkewWarning, stacklevel=3)
