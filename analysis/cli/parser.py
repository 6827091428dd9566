"""The argument parser of the ``docsec`` command line: usage mistakes as one line.

argparse prints a (possibly long) usage block and then the error. docsec prints one line, as for
every other input mistake: the command, the option and what is wrong, then where to read more,
e.g. ``docsec sweep: error: argument --workers: invalid int value: 'two' (see: docsec sweep --help)``,
and exits with status 2.
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn


class OneLineParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` (and, through ``add_subparsers``, its sub-command parsers) whose errors are one line."""

    def parse_args(self, args=None, namespace=None):
        """As argparse's, but arguments no parser knows are reported by the sub-command's parser."""
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            chosen = self
            for action in self._actions:
                if isinstance(action, argparse._SubParsersAction):
                    chosen = action.choices.get(getattr(parsed, action.dest, None), self)
            chosen.error("unrecognized arguments: " + " ".join(extras))
        return parsed

    def error(self, message: str) -> NoReturn:
        text = " ".join(message.split())
        self.exit(2, f"{self.prog}: error: {text} (see: {self.prog} --help)\n")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            sys.stderr.write(message)
        raise SystemExit(status)
