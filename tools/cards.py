"""Sample share cards, to look at: python tools/cards.py [OUT_DIR]  (default: docs/cards/)

One card per verdict of content/verdicts.yaml, Arabic and English in turn, each from a sample claim with that
verdict (a verdict no claim has is given to the first claim), and a long claim in each language (the first
claims' texts joined) to show where it is cut. The cards are drawn as the build draws them (generator/cards/).
"""
from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.cards import cards_of  # noqa: E402
from generator.cards.draw import draw  # noqa: E402
from generator.model import Text  # noqa: E402
from generator.pipeline import check  # noqa: E402
from generator.render.pages import CARD, claim_url  # noqa: E402
from generator.settings import PROJECT_ROOT, load_settings  # noqa: E402


def main(out: str = str(PROJECT_ROOT / "docs" / "cards")) -> None:
    settings = load_settings()
    content = check(PROJECT_ROOT / "content").content
    if content is None:
        sys.exit("content/ does not validate: run `python -m generator validate`")
    claims = list(content.claims.values())
    samples = {}  # file name → (claim, language)
    for n, vid in enumerate(content.verdicts):
        claim = next((c for c in claims if c.verdict == vid), replace(claims[0], id=f"as-{vid}", verdict=vid))
        samples[f"{vid}-{settings.codes[n % 2]}"] = claim
    joined = Text(**{lang: " ".join(c.claim[lang] for c in claims[:6]) for lang in settings.codes})
    for lang in settings.codes:
        samples[f"long-{lang}"] = replace(claims[1], id="long", claim=joined)
    cards = cards_of(replace(content, claims={claim.id: claim for claim in samples.values()}), settings)
    Path(out).mkdir(parents=True, exist_ok=True)
    for name, claim in samples.items():
        lang = name.rsplit("-", 1)[1]
        (Path(out) / f"{name}.png").write_bytes(draw(cards[settings.root(lang) + claim_url(claim.id) + CARD]))
        print(Path(out) / f"{name}.png")


if __name__ == "__main__":
    main(*sys.argv[1:])
