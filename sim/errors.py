"""Errors raised for bad user input anywhere in docsec.

Every such error is an ``InputError``: the command-line interface prints its
message as one line and exits with status 2, without a traceback.
"""


class InputError(ValueError):
    """Bad input from a user (a parameter, a scenario or sweep file, an option)."""
