"""Writing output files safely: written beside the destination, moved into place only when complete.

A failure part-way never leaves a half-written file over an earlier one. An
operating-system error becomes a one-line ``InputError`` naming the option and path.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..sim.errors import InputError


@contextmanager
def replacing(path: str | Path, option: str) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path``, on failure it is removed."""
    target = Path(path)
    tmp = target.parent / f".{target.name}.{os.getpid()}.tmp"
    try:
        try:
            yield tmp
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as err:
        raise InputError(f"{option} {path}: cannot write ({err.strerror or err})") from None
