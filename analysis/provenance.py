"""Provenance of results: which code produced them (package, git revision, Mesa, Python)."""

from __future__ import annotations

import hashlib
import platform
import subprocess
from functools import cache
from importlib import metadata
from pathlib import Path

from .. import sim


@cache
def git_revision() -> str:
    """The git revision of the source tree docsec runs from ("unknown" outside a checkout).

    A tree with uncommitted changes gets a "+dirty" suffix.
    """
    root = Path(sim.__file__).resolve().parent.parent
    try:
        rev = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return rev + ("+dirty" if dirty else "")


def file_hash(text: str | bytes) -> str:
    """SHA-256 of a file's content (hex)."""
    data = text.encode() if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()


def provenance() -> dict[str, str]:
    """What produced a result: docsec version, git revision, Mesa version, Python version."""
    try:
        mesa_version = metadata.version("mesa")
    except metadata.PackageNotFoundError:  # pragma: no cover - mesa is a hard dependency
        mesa_version = "unknown"
    return {
        "docsec_version": sim.__version__,
        "git_revision": git_revision(),
        "mesa_version": mesa_version,
        "python_version": platform.python_version(),
    }
