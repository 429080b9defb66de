"""Exceptions the engine raises; the CLI and the app turn them into one sentence."""


class PoisonError(Exception):
    """Base class for every error the engine reports to a user."""


class InputError(PoisonError, ValueError):
    """Bad user input: a file, a name, a parameter or a combination of them."""


class Cancelled(PoisonError):
    """A run was cancelled between two steps."""
