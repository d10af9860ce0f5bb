"""Exit codes and the failures a command shows to the user.

Shared by ``cli.py`` (which turns a :class:`Failure` into one line on stderr and
its exit code) and the commands behind it, so neither imports the other.
Nothing here imports anything: it is loaded before every command.
"""

from __future__ import annotations

__all__ = [
    "EXIT_FAILURE",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "Failure",
    "ProviderUnavailable",
    "UsageError",
]

EXIT_OK = 0
EXIT_FAILURE = 1
"""An API, network, storage or configuration failure."""
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class Failure(Exception):
    """A command failed in a way the user can act on; ``str()`` is the one line shown."""

    exit_code = EXIT_FAILURE


class UsageError(Failure):
    """Wrong use of a command that argparse cannot see."""

    exit_code = EXIT_USAGE


class ProviderUnavailable(Exception):
    """The provider cannot be used (no key, or one that cannot be sent);
    ``str()`` says what to do."""
