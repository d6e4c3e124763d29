"""The one exception tree. The CLI turns each into a message and an exit code, never a traceback.

Content problems are not exceptions: they are `Diagnostic`s (diagnostics.py), reported all at once.
"""
from __future__ import annotations


class FactcheckError(Exception):
    """A problem the user can fix; the message says what and how."""

    exit_code = 2


class UsageError(FactcheckError):
    """The command line, the configuration or the environment (exit 2)."""


class ConfigError(UsageError):
    """mkdocs.yml is missing, unreadable or holds a wrong value."""


class OutputRefused(UsageError):
    """An output folder the tool must not fill or replace (it holds what the tool did not make)."""


class BuildError(FactcheckError):
    """A build stage failed; the message says which, and what it printed (exit 1)."""

    exit_code = 1


class Stopped(BaseException):
    """SIGTERM or SIGHUP arrived: unwind (children stopped, staging removed), exit 128 + the signal."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
