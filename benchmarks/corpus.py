"""Generate a realistic content tree from a seed, for benchmarks.

    python -m benchmarks.corpus --claims 10000 --out benchmarks/out/c10000 [--seed 1]

Everything comes from `random.Random(seed)`, so a seed and a size give the
same tree, byte for byte. The words come from `data/vocab.json`: the Arabic
of the two sample articles (../shared/seeds/) and the English of the sample
claims, with a next-word list per word, so sentences read like news copy.

The tree, per `claims` (C):
- C/4 articles, 3–8 kB of Arabic text each;
- C claims of about 2 kB, bilingual; each quotes a real excerpt of its article
  (one, or two from two articles), with a `prefix` when the excerpt occurs more
  than once; a few carry a tatweel (matches) or a diacritic (a warning);
- C/25 topics, each covered by two to four articles (the comparison page);
- 40 tags; 0–3 per claim; corrections on one claim in ten, `updated` on one in
  three, `related` on one in five;
- the sample verdict scale, and the about/methodology/corrections pages.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
SCHEMA = "# yaml-language-server: $schema=../../generator/schemas/{}.schema.json\n"
TOP_SCHEMA = "# yaml-language-server: $schema=../generator/schemas/{}.schema.json\n"

# What the validator's SAFE tier folds that the vocabulary contains: quote marks and digits.
_QUOTES = "\"'“”„‟«»‹›‘’‚‛❝❞〝〞＂＇`´"
_FOLD = str.maketrans({**{c: '"' for c in _QUOTES}, **{chr(0x0660 + i): str(i) for i in range(10)},
                       **{chr(0x06F0 + i): str(i) for i in range(10)}})
_ARABIC_LETTERS = {chr(c) for c in range(0x0621, 0x064B)}
OUTLETS = [("الشرق", "Asharq"), ("رويترز", "Reuters"), ("الجزيرة", "Al Jazeera"), ("العربية", "Al Arabiya"),
           ("وكالة الأناضول", "Anadolu Agency"), ("فرانس برس", "AFP"), ("بي بي سي عربي", "BBC Arabic"),
           ("الأهرام", "Al-Ahram"), ("سكاي نيوز عربية", "Sky News Arabia"), ("القدس العربي", "Al-Quds Al-Arabi")]


def _vocab() -> dict:
    return json.loads((DATA / "vocab.json").read_text(encoding="utf-8"))


class Words:
    """A bigram chain over one language's sample text, mixed with random words so spans rarely repeat."""

    def __init__(self, table: dict, rng: random.Random) -> None:
        self.starts, self.next, self.rng = table["starts"], table["next"], rng
        self.all = [w for ws in self.next.values() for w in ws if w != "<END>"]

    def sentence(self, lo: int, hi: int) -> str:
        rng, n = self.rng, self.rng.randint(lo, hi)
        out = [rng.choice(self.starts)]
        while len(out) < n:
            choices = self.next.get(out[-1])
            w = rng.choice(choices) if choices and rng.random() < 0.6 else "<END>"
            out.append(rng.choice(self.all) if w == "<END>" else w)
        text = " ".join(out).rstrip(".،,:؛")
        return text + "."


@dataclass
class ArticleGen:
    id: str
    words: list[str]  # the text's words; paragraphs break every few sentences
    text: str
    flat: str  # text as the validator's SAFE tier sees it (newlines are spaces, quote marks folded)
    starts: list[int]  # char offset of each word in `flat`


def _date(rng: random.Random, lo: dt.date, days: int) -> dt.date:
    return lo + dt.timedelta(days=rng.randrange(days))


def _q(s: str) -> str:
    """A YAML double-quoted scalar (JSON is valid YAML)."""
    return json.dumps(s, ensure_ascii=False)


def _bi(key: str, ar: str, en: str, indent: str = "") -> str:
    return f"{indent}{key}:\n{indent}  ar: {_q(ar)}\n{indent}  en: {_q(en)}\n"


def _article(aid: str, ar: Words, rng: random.Random) -> ArticleGen:
    target = rng.randint(3000, 8000)  # bytes of UTF-8
    paragraphs, size = [], 0
    while size < target:
        para = " ".join(ar.sentence(12, 30) for _ in range(rng.randint(1, 3)))
        paragraphs.append(para)
        size += len(para.encode("utf-8")) + 1
    text = "\n".join(paragraphs) + "\n"
    flat = text.replace("\n", " ").translate(_FOLD)
    words, starts, pos = [], [], 0
    for w in flat.split(" "):
        if w:
            words.append(w)
            starts.append(pos)
        pos += len(w) + 1
    raw_words = text.split()
    return ArticleGen(aid, raw_words, text, flat, starts)


def _hits(flat: str, needle: str) -> list[int]:
    out, i = [], flat.find(needle)
    while i != -1:
        out.append(i)
        i = flat.find(needle, i + 1)
    return out


def excerpt_of(art: ArticleGen, rng: random.Random, short: bool) -> tuple[str, str | None]:
    """(quote, prefix or None): a span of the article's words that the validator anchors to one place."""
    for _ in range(50):
        k = rng.randint(2, 3) if short else rng.randint(6, 14)
        i = rng.randrange(1, max(2, len(art.words) - k))
        quote = " ".join(art.words[i:i + k])
        needle = quote.translate(_FOLD)
        hits = _hits(art.flat, needle)
        if len(hits) == 1:
            return quote, None
        for j in range(1, 7):  # the words just before, until one occurrence is left
            if i - j < 0:
                break
            prefix = " ".join(art.words[i - j:i])
            p = prefix.translate(_FOLD)
            if sum(1 for h in hits if art.flat[:h].rstrip().endswith(p)) == 1:
                return quote, prefix
    raise RuntimeError(f"no anchorable excerpt in {art.id}")


def _mark(quote: str, rng: random.Random) -> str:
    """A few editors' variants: a tatweel inside a word (matches exactly), rarely a fatha (matches with a warning)."""
    words = quote.split(" ")
    r = rng.random()
    for n, w in enumerate(words):
        if len(w) >= 4 and w[1] in _ARABIC_LETTERS and w[2] in _ARABIC_LETTERS:
            if r < 0.03:
                words[n] = w[:2] + "ـ" + w[2:]
            elif r < 0.04:
                words[n] = w[:2] + "\u064e" + w[2:]
            break
    return " ".join(words)


def generate(root: Path, claims: int, seed: int = 1, people: int = 12) -> dict:
    """Write the tree under root/ (replacing it); return counts. Each claim is written by one of `people`
    and reviewed by the next (the sample's mkdocs.yml requires a reviewer other than the author)."""
    rng = random.Random(seed)
    vocab = _vocab()
    ar, en = Words(vocab["ar"], rng), Words(vocab["en"], rng)
    if root.exists():
        shutil.rmtree(root)
    for sub in ("articles", "claims", "pages"):
        (root / sub).mkdir(parents=True)

    shutil.copyfile(DATA / "verdicts.yaml", root / "verdicts.yaml")
    verdicts = [line.split(":")[0] for line in (DATA / "verdicts.yaml").read_text(encoding="utf-8").splitlines()
                if line and line[0].isalpha()]

    n_tags = 40
    tags = [f"tag-{i:02d}" for i in range(n_tags)]
    with open(root / "tags.yaml", "w", encoding="utf-8") as f:
        f.write(TOP_SCHEMA.format("tags"))
        for t in tags:
            f.write(f"{t}:\n" + _bi("label", ar.sentence(1, 2).rstrip("."), en.sentence(1, 3).rstrip("."), "  "))

    n_articles = max(2, claims // 4)
    articles: list[ArticleGen] = []
    for i in range(n_articles):
        aid = f"article-{i:05d}"
        art = _article(aid, ar, rng)
        articles.append(art)
        (root / "articles" / f"{aid}.txt").write_text(art.text, encoding="utf-8")
        outlet = rng.choice(OUTLETS)
        meta = (SCHEMA.format("article") + _bi("title", ar.sentence(6, 12).rstrip("."), en.sentence(6, 12).rstrip("."))
                + _bi("outlet", *outlet) + f"published: {_date(rng, dt.date(2024, 1, 1), 365)}\nlanguage: ar\n")
        if rng.random() < 0.8:
            meta += f"url: https://news.example.com/{outlet[1].lower().replace(' ', '-')}/{aid}\n"
        (root / "articles" / f"{aid}.yaml").write_text(meta, encoding="utf-8")

    n_topics = max(3, claims // 25)
    topics = {}
    with open(root / "topics.yaml", "w", encoding="utf-8") as f:
        f.write(TOP_SCHEMA.format("topics"))
        for i in range(n_topics):
            tid = f"topic-{i:04d}"
            topics[tid] = rng.sample(range(n_articles), min(n_articles, rng.randint(2, 4)))
            f.write(f"{tid}:\n" + _bi("label", ar.sentence(4, 8).rstrip("."), en.sentence(4, 8).rstrip("."), "  "))
            if rng.random() < 0.5:
                f.write(_bi("description", ar.sentence(15, 30), en.sentence(15, 30), "  "))
    topic_ids = list(topics)

    for name, (t_ar, t_en) in {"about": ("من نحن", "About"), "methodology": ("المنهجية", "Methodology"),
                               "corrections": ("سياسة التصحيح", "Corrections policy")}.items():
        (root / "pages" / f"{name}.ar.md").write_text(
            f"# {t_ar}\n\n" + "\n\n".join(ar.sentence(20, 40) for _ in range(4)) + "\n", encoding="utf-8")
        (root / "pages" / f"{name}.en.md").write_text(
            f"# {t_en}\n\n" + "\n\n".join(en.sentence(20, 40) for _ in range(4)) + "\n", encoding="utf-8")

    prefixed = 0
    for i in range(claims):
        cid = f"claim-{i:05d}"
        topic = rng.choice(topic_ids) if rng.random() < 0.4 else None
        pool = topics[topic] if topic else None
        first = articles[rng.choice(pool)] if pool else articles[rng.randrange(n_articles)]
        chosen = [first]
        if rng.random() < 0.15:
            second = articles[rng.randrange(n_articles)]
            if second is not first:
                chosen.append(second)
        published = _date(rng, dt.date(2024, 2, 1), 900)
        src_date = _date(rng, dt.date(2024, 1, 1), 365)
        url = f"https://sources.example.org/{rng.randrange(10**6)}/{rng.choice(['report', 'statement', 'data'])}"
        y = [SCHEMA.format("claim"),
             _bi("claim", ar.sentence(12, 20), en.sentence(12, 20)),
             _bi("claimant", rng.choice(OUTLETS)[0], rng.choice(OUTLETS)[1]),
             f"verdict: {rng.choice(verdicts)}\n",
             _bi("conclusion", ar.sentence(15, 25), en.sentence(15, 25)),
             "explanation:\n",
             f"  ar: {_q(ar.sentence(20, 35) + ' ([' + ar.sentence(2, 4).rstrip('.') + '](' + url + ')) ' + ar.sentence(10, 20))}\n",
             f"  en: {_q(en.sentence(20, 35) + ' ([' + en.sentence(2, 4).rstrip('.') + '](' + url + ')) ' + en.sentence(10, 20))}\n",
             "excerpts:\n"]
        for art in chosen:
            quote, prefix = excerpt_of(art, rng, short=rng.random() < 0.15)
            prefixed += prefix is not None
            y.append(f"  - article: {art.id}\n    quote: {_q(_mark(quote, rng))}\n")
            if prefix:
                y.append(f"    prefix: {_q(prefix)}\n")
            y.append(f"    translation:\n      en: {_q(en.sentence(6, 14))}\n")
        y.append("sources:\n")
        for n in range(rng.randint(1, 2)):
            y.append(f"  - url: {url if n == 0 else url + '-' + str(n)}\n    title: {_q(en.sentence(5, 10).rstrip('.'))}\n"
                     f"    publisher:\n      ar: {_q(rng.choice(OUTLETS)[0])}\n      en: {_q(rng.choice(OUTLETS)[1])}\n"
                     f"    date: {src_date}\n")
            if rng.random() < 0.5:
                y.append(f"    quote: {_q(en.sentence(10, 20))}\n")
        if topic:
            y.append(f"topic: {topic}\n")
        picked = rng.sample(tags, rng.randint(0, 3))
        if picked:
            y.append("tags: [" + ", ".join(picked) + "]\n")
        y.append(f"author: {_person(i % people)}\nreviewer: {_person((i + 1) % people)}\n")
        y.append(f"published: {published}\n")
        if rng.random() < 0.33:
            y.append(f"updated: {published + dt.timedelta(days=rng.randint(1, 60))}\n")
        if rng.random() < 0.1:
            y.append(f"corrections:\n  - date: {published + dt.timedelta(days=rng.randint(1, 30))}\n"
                     + _bi("note", ar.sentence(6, 12), en.sentence(6, 12), "    "))
        if i > 0 and rng.random() < 0.2:
            others = sorted({f"claim-{rng.randrange(i):05d}" for _ in range(rng.randint(1, 3))})
            y.append("related: [" + ", ".join(others) + "]\n")
        (root / "claims" / f"{cid}.yaml").write_text("".join(y), encoding="utf-8")
    with open(root / "people.yaml", "w", encoding="utf-8") as f:
        f.write(TOP_SCHEMA.format("people"))
        for n in range(people):
            f.write(f"{_person(n)}:\n" + _bi("name", ar.sentence(2, 2).rstrip("."), en.sentence(2, 2).rstrip("."), "  ")
                    + _bi("role", "محرر", "Editor", "  "))
    return {"claims": claims, "people": people, "articles": n_articles, "topics": n_topics, "tags": n_tags,
            "prefixed_excerpts": prefixed}


def _person(n: int) -> str:
    return f"person-{n + 1:02d}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.corpus", description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None, help="default: benchmarks/out/c<claims>")
    args = parser.parse_args(argv)
    out = args.out or Path(__file__).resolve().parent / "out" / f"c{args.claims}"
    print(json.dumps(generate(out, args.claims, args.seed)), file=sys.stderr)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
