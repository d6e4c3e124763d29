"""A one-line progress counter on a terminal; silent in CI and when stderr is not a terminal."""
from __future__ import annotations

import os
import sys
import time


def interactive(stream=None) -> bool:
    stream = stream or sys.stderr
    return bool(stream.isatty()) and not os.environ.get("CI")


class Progress:
    """`with Progress(n, "formatting") as p: p.step(name)` redraws `formatting 12/230 name` at most 10×/s."""

    def __init__(self, total: int, label: str, stream=None, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.total, self.label, self.done = total, label, 0
        self.enabled = interactive(self.stream) if enabled is None else enabled
        self._last = 0.0

    def step(self, name: str = "") -> None:
        self.done += 1
        now = time.monotonic()
        if not self.enabled or (now - self._last < 0.1 and self.done < self.total):
            return
        self._last = now
        self.stream.write(f"\r\x1b[K{self.label} {self.done}/{self.total} {name}"[:200])
        self.stream.flush()

    def clear(self) -> None:
        """Erase the line, before printing anything else."""
        if self.enabled:
            self.stream.write("\r\x1b[K")
            self.stream.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.clear()
