"""Checksums and version checks for pipeline directories.

Loading a pipeline unpickles its heads (joblib is pickle), and unpickling runs code: only load
pipelines you trust. Checksums catch corrupted or swapped files before anything is unpickled;
they are no defence against someone who can rewrite both the files and the manifest.
"""
from __future__ import annotations

import hashlib
import json
import warnings
from contextlib import contextmanager
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


# Files an operating system drops into any folder; not part of a pipeline.
IGNORED = {".DS_Store", "Thumbs.db", "desktop.ini"}


class IntegrityError(ValueError):
    """A pipeline directory that does not match its manifest; nothing was loaded."""


def verify_pipeline(root: Path) -> dict:
    """Check ``root`` against ``root/manifest.json`` before anything in it is loaded.

    Every listed file must exist and match its sha256, and every file must be listed: an
    extra file (say, a pickle someone added) is refused too. Raises naming the first bad file.
    """
    root = Path(root)
    mpath = root / MANIFEST
    if not mpath.exists():
        raise FileNotFoundError(f"{mpath}: no manifest; not a campaignnlp pipeline directory, "
                                "or one whose files cannot be checked: nothing was loaded")
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise IntegrityError(f"{mpath}: not a readable manifest ({e}); nothing was loaded") from None
    listed = manifest.get("checksums") if isinstance(manifest, dict) else None
    if not isinstance(listed, dict) or not listed:
        raise IntegrityError(f"{mpath}: the manifest lists no checksums; nothing was loaded")
    base = root.resolve()
    for rel in listed:
        if base not in (root / rel).resolve().parents:
            raise IntegrityError(f"{mpath}: entry {rel!r} points outside the pipeline directory; "
                                 "nothing was loaded")
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if p.is_file() and p.name != MANIFEST and p.name not in IGNORED and rel not in listed:
            raise IntegrityError(f"{p}: not in the manifest {mpath}; a pipeline holds only the "
                                 "files it was saved with (remove it, or save the pipeline "
                                 "again); nothing was loaded")
    for rel, digest in listed.items():
        f = root / rel
        if not f.is_file():
            raise FileNotFoundError(f"{f}: listed in the manifest but missing; nothing was loaded")
        if sha256_file(f) != digest:
            raise IntegrityError(f"{f}: checksum mismatch with {mpath} (the file was changed or "
                                 "corrupted); nothing was loaded")
    return manifest


def check_versions(saved: dict, where: str = "") -> None:
    """One warning if the pipeline was saved with other scikit-learn / spaCy versions."""
    import sklearn
    import spacy

    current = {"scikit-learn": sklearn.__version__, "spacy": spacy.__version__}
    skew = {k: (saved[k], v) for k, v in current.items() if k in saved and saved[k] != v}
    if skew:
        what = ", ".join(f"{k} {a} (installed: {b})" for k, (a, b) in skew.items())
        pins = " ".join(f"{k}=={a}" for k, (a, _) in skew.items())
        warnings.warn(f"{where}: pipeline saved with {what}. Its predictions may differ or fail: "
                      f"retrain it with `campaignnlp train`, or pin the versions it was saved "
                      f"with (pip install {pins}).", VersionSkewWarning, stacklevel=3)


@contextmanager
def quiet_version_warnings():
    """Silence the version warnings :func:`check_versions` replaces with one: scikit-learn's
    InconsistentVersionWarning (one per estimator inside a head: dozens) and spaCy's W094/W095
    about the version in meta.json."""
    with warnings.catch_warnings():
        try:
            from sklearn.exceptions import InconsistentVersionWarning
        except ImportError:  # scikit-learn < 1.3 warns with a plain UserWarning
            warnings.filterwarnings("ignore", message="Trying to unpickle estimator")
        else:
            warnings.simplefilter("ignore", InconsistentVersionWarning)
        warnings.filterwarnings("ignore", message=r"\[W09[45]\]")
        yield
