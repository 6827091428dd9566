"""Shared helpers of the reliability suite: the real command line in a subprocess, small sweeps and stores,
and read-only folders (a read-only bind mount when the tests run as root, who ignores permissions)."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

SWEEP = """
[sweep]
name = "tiny"
replicates = 2
base_seed = 3
days = 6

[parameters]
population.offices = 2
custody.key_sharing_permitted = [true, false]

[outputs]
daily = true
"""


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def docsec_cli(*args: str, cwd: Path, prefix: tuple[str, ...] = (), timeout: float = 120) -> subprocess.CompletedProcess:
    """`docsec ARGS` as a real subprocess."""
    return subprocess.run([*prefix, sys.executable, "-m", "docsec.analysis.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)


def assert_one_line_error(proc: subprocess.CompletedProcess, code: int = 2) -> str:
    """Exit status ``code``, exactly one line on stderr, no traceback; returns that line."""
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == code, proc.stderr
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    return lines[0]


@pytest.fixture
def sweep_file(tmp_path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(SWEEP)
    return path


@pytest.fixture
def store(tmp_path, sweep_file) -> Path:
    """A complete small store, made by the serial engine in this process."""
    from docsec.analysis.sweep.design import load_sweep
    from docsec.analysis.sweep.execute import run_sweep

    path = tmp_path / "tiny.sqlite"
    run_sweep(load_sweep(sweep_file), path, engine="serial", progress=False)
    return path


def _can_bind_mount() -> bool:
    return shutil.which("unshare") is not None and subprocess.run(
        ["unshare", "-m", "sh", "-c", "mount -o bind,ro / /mnt 2>/dev/null || mount -o bind,ro /tmp /tmp"],
        capture_output=True).returncode == 0


@pytest.fixture
def read_only(tmp_path):
    """``read_only(folder)`` -> the prefix that runs a command with ``folder`` read-only.

    As an ordinary user the folder is made read-only (mode 555); as root, who writes anyway, the
    command runs in its own mount namespace where the folder is bind-mounted read-only.
    """
    changed = []

    def make(folder: Path) -> tuple[str, ...]:
        if os.geteuid() != 0:
            folder.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP)
            changed.append(folder)
            return ()
        if not _can_bind_mount():
            pytest.skip("running as root without mount namespaces: no way to make a folder read-only")
        script = f'mount -o bind,ro "{folder}" "{folder}" && exec "$@"'
        return ("unshare", "-m", "sh", "-c", script, "sh")

    yield make
    for folder in changed:
        folder.chmod(0o755)


@pytest.fixture
def rel():
    """The helpers above, for test modules (which cannot import conftest under --import-mode=importlib)."""
    from types import SimpleNamespace

    return SimpleNamespace(cli=docsec_cli, one_line=assert_one_line_error, digest=digest)


