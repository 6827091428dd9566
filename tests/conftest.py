"""Fixtures shared by every test folder."""

from __future__ import annotations

from types import SimpleNamespace

import pytest


@pytest.fixture
def docsec(capsys):
    """`docsec ARGS` in this process: its exit status, standard output and standard error."""
    from docsec.analysis.cli import main

    def run(*args: str) -> SimpleNamespace:
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse's errors and --help
            code = exit_.code
        out, err = capsys.readouterr()
        return SimpleNamespace(returncode=code, stdout=out, stderr=err)
    return run
