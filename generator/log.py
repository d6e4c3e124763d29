"""The build's progress log: one line per event, on stderr (stdout stays for data: JSON diagnostics)."""
from __future__ import annotations

import sys


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
