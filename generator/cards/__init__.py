"""Share cards: the picture a claim page's link travels with (its og:image), one per claim page and language,
drawn by cards/draw.py.

A card is drawn only when its inputs changed. The inputs are the `Card` (its texts, colours, language and
direction) and the drawing's own: this package's code, Pillow's text stack and the font packages'
versions. Drawn cards are kept in the content's work folder (`cards/`, beside the validate cache), each
named `<inputs digest>-<bytes digest>.png`: a card whose inputs are there is not drawn again, and the site
gets the same bytes. The cards to draw are drawn in parallel (process.fork_map). A card that cannot be
drawn fails the build before anything is published.
"""
from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import BuildError
from ..model import Content
from ..process import fork_map
from ..render.env import contrast_text, strings
from ..render.keys import digest, source_digest
from ..render.pages import CARD, claim_url
from ..render.write import file_digest
from ..settings import Settings

PACKAGES = ("pillow", "fontpkg", "fontpkg-noto-sans-arabic", "fontpkg-noto-sans")  # their versions change the bytes
STALE_AFTER_S = 3600  # a card no build wants is deleted after an hour: a build running beside may still need it


@dataclass(frozen=True)
class Cards:
    folder: Path  # where they are drawn
    files: dict[str, tuple[str, str]]  # site path ("en/claims/x/card.png") → (file name in folder, bytes digest)
    drawn: int
    seconds: float

    def summary(self) -> str:
        return (f"share cards: {self.drawn:,} drawn, {len(self.files) - self.drawn:,} unchanged "
                f"({self.seconds:.1f} s)")


def cards_of(content: Content, settings: Settings) -> dict:
    """Every claim page's card in every language: site path → draw.Card."""
    from .draw import Card

    words = strings()
    parts = urlsplit(settings.site_url)
    host = (parts.netloc + parts.path).rstrip("/")
    out = {}
    on_color = {vid: contrast_text(verdict.color) for vid, verdict in content.verdicts.items()}
    for claim in content.claims.values():
        verdict = content.verdicts[claim.verdict]
        for language in settings.languages:
            lang = language.code
            out[settings.root(lang) + claim_url(claim.id) + CARD] = Card(
                lang, language.dir, f"{words['verdict'][lang]}: {verdict.label[lang]}", verdict.color,
                on_color[verdict.id], words["claim"][lang], claim.claim[lang],
                f"{words['claimant'][lang]}: {claim.claimant[lang]}", language.site_name, host)
    return out


@cache
def _drawing() -> bytes:
    """What every card's bytes depend on besides its Card: the code, the fonts, Pillow's text stack."""
    from PIL import features

    versions = [f"{name}=={metadata.version(name)}" for name in PACKAGES]
    versions += [f"{lib}={features.version(lib)}" for lib in ("freetype2", "raqm", "fribidi", "harfbuzz")]
    return source_digest("generator/cards") + "\n".join(versions).encode()


def card_key(card) -> str:
    # The fields are strings, none holds a NUL (validate refuses control characters): joined, they say it all.
    return digest(_drawing() + "\0".join(vars(card).values()).encode()).hex()


def draw_cards(content: Content, settings: Settings, folder: Path, reuse: bool = True) -> Cards:
    """The card of every claim page, drawn into `folder` unless it is there already (`reuse`)."""
    from .draw import require_raqm

    started = time.perf_counter()
    wanted = {rel: (card_key(card), card) for rel, card in cards_of(content, settings).items()}
    folder.mkdir(parents=True, exist_ok=True)
    kept = _kept(folder) if reuse else {}
    todo = sorted({key: (rel, card) for rel, (key, card) in wanted.items() if key not in kept}.items())
    if todo:
        require_raqm()
    for key, name, bytes_digest in fork_map(lambda part: [_draw(folder, *item) for item in part], todo,
                                            min_items=8):
        kept[key] = (name, bytes_digest)
    _prune(folder, {key for key, _ in wanted.values()})
    return Cards(folder, {rel: kept[key] for rel, (key, _) in wanted.items()}, len(todo),
                 time.perf_counter() - started)


def _draw(folder: Path, key: str, item: tuple) -> tuple[str, str, str]:
    from .draw import draw

    rel, card = item
    try:
        png = draw(card)
    except Exception as exc:  # noqa: BLE001 - any failure: the build stops and says which card
        raise BuildError(f"the share card {rel} could not be drawn: {type(exc).__name__}: {exc}") from None
    bytes_digest = file_digest(png)
    name = f"{key}-{bytes_digest}.png"
    # A temporary name of its own (two builds may draw the same card), readable by all: the site links it.
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".", delete=False) as tmp:
        tmp.write(png)
    os.chmod(tmp.name, 0o644)
    os.replace(tmp.name, folder / name)
    return key, name, bytes_digest


def _kept(folder: Path) -> dict[str, tuple[str, str]]:
    """The cards drawn before: inputs digest → (file name, bytes digest), from the names (no Path for each of
    20,000 files: pathlib would take most of a second)."""
    found = {}
    for name in os.listdir(folder):
        key, _, rest = name.partition("-")
        if rest.endswith(".png") and not name.startswith("."):
            found[key] = (name, rest[: -len(".png")])
    return found


def _prune(folder: Path, keys: set[str]) -> None:
    """Delete the cards (and temporary files) that this build does not want, once they are old enough."""
    now = time.time()
    for entry in os.scandir(folder):
        try:
            if entry.name.partition("-")[0] not in keys and now - entry.stat().st_mtime > STALE_AFTER_S:
                os.unlink(entry.path)
        except FileNotFoundError:  # another build renamed or deleted it meanwhile
            continue
