"""`new claim` / `new article`: start a content file from a checked quote or an article's text.

Both write skeletons whose fields to fill hold `TODO: …` placeholders, which
`validate` reports as `todo-placeholder` errors (fields with a rule of their
own, such as `verdict: TODO`, `reviewer: TODO` or `published: TODO`, are
reported by that rule), so an unfinished file cannot be published by mistake.
A new claim is a draft (`status: draft`) until the desk publishes it. Neither
ever replaces an existing file (O_EXCL).
"""
from __future__ import annotations

import argparse
import datetime as dt
import difflib
import sys
from pathlib import Path

from ..anchor.match import ArticleIndex, Status, anchor, context_of
from ..anchor.normalize import Tier
from ..chars import visible
from ..diagnostics import Diagnostic, Severity
from ..edit.files import schema_comment, write_new
from ..edit.style import canonical, dump
from ..load import limits
from ..load.tree import ID_RE, YAML_SUFFIXES, display_path
from ..load.yaml_source import load_yaml_file, read_text
from ..validate.rules.quotes import QuoteProblem, quote_problem
from ..validate.rules.reserved import RESERVED, message as reserved_message
from .validate import report

HELP = "start a claim (checks the quote, fills in prefix/suffix) or add an article; writes a skeleton to fill in"
LANGUAGES = ("ar", "en")
NAMES = {"ar": "Arabic", "en": "English"}
MAX_CONTEXT_WORDS = 15
MAX_LISTED = 9  # occurrences listed when a quote is ambiguous


class UsageError(Exception):
    """Bad arguments: exit 2."""


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="what", required=True, metavar="WHAT")
    claim = sub.add_parser("claim", help="a claim quoting an article: content/claims/<id>.yaml",
                           description="Check a quote against an article and write a claim skeleton around it.")
    claim.add_argument("--article", required=True, metavar="ID", help="the article quoted (content/articles/ID.txt)")
    claim.add_argument("--quote", required=True, metavar="TEXT", help="the article's exact words")
    claim.add_argument("--id", metavar="SLUG",
                       help="the claim's id and file name (default: claim-<article>-<n>); it becomes the page's URL")
    claim.add_argument("--occurrence", type=int, metavar="N",
                       help="when the quote occurs more than once, which occurrence to quote (default: 1)")
    article = sub.add_parser("article", help="an article's verbatim text and a metadata skeleton",
                             description="Copy an article's text into content/articles/ and write its metadata "
                                         "skeleton.")
    article.add_argument("--id", required=True, metavar="ID", help="the article's id: lowercase a-z, 0-9 and -")
    article.add_argument("--text", required=True, type=Path, metavar="FILE", help="the article's text, UTF-8")
    article.add_argument("--language", choices=LANGUAGES,
                         help="language of the text (default: guessed from its script)")
    for p in (claim, article):  # accepted after the subcommand too: `new claim … --content PATH`
        p.add_argument("--content", type=Path, default=argparse.SUPPRESS, metavar="PATH",
                       help="content folder (default: content/)")


def run(args) -> int:
    try:
        return (_claim if args.what == "claim" else _article)(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


# ---------------------------------------------------------------- shared


def _check_id(value: str, what: str) -> str:
    if not ID_RE.fullmatch(value):
        raise UsageError(f"`{value}` is not a valid {what} id: use lowercase ASCII letters, digits and single "
                         "hyphens, such as `toll-more-than-33000`")
    if value in RESERVED:
        raise UsageError(reserved_message(what, value))
    return value


def _existing(folder: Path, stem: str, suffixes=YAML_SUFFIXES) -> Path | None:
    return next((folder / f"{stem}{s}" for s in suffixes if (folder / f"{stem}{s}").exists()), None)


def _print_problem(p: QuoteProblem | Diagnostic, stream=None) -> None:
    """The quote rule's diagnostic, for a quote given on the command line (it has no file and line)."""
    stream = stream or sys.stderr  # escaped as the diagnostics formatter escapes them (article text is quoted)
    print(f"{p.severity.value}[{p.code}]: {visible(p.message)}", file=stream)
    for note in p.notes:
        print("      " + visible(note), file=stream)
    if p.help:
        print(f"  help: {visible(p.help)}", file=stream)


def _guess_language(text: str) -> str:
    arabic = sum(1 for c in text if "\u0600" <= c <= "\u06ff" or "\ufb50" <= c <= "\ufeff")
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    return "ar" if arabic >= latin else "en"


def _todo(what: str, lang: str) -> str:
    return f"TODO: {what}, in {NAMES[lang]}"


def _bilingual(what: str) -> dict:
    return {lang: _todo(what, lang) for lang in LANGUAGES}


# ---------------------------------------------------------------- new claim


def _has_word(s: str) -> bool:
    return any(c.isalnum() for c in s)


def _context(index: ArticleIndex, quote: str, span: tuple[int, int]) -> dict[str, str] | None:
    """The shortest prefix or suffix (whole words) that picks out the occurrence at `span`."""
    a, b = span
    before = index.text[max(0, a - 4000):a].split()
    after = index.text[b:b + 4000].split()

    def picks(prefix: str = "", suffix: str = "") -> bool:
        found = anchor(index, quote, prefix, suffix)
        return found.found and (found.start, found.end) == span

    for k in range(1, MAX_CONTEXT_WORDS + 1):
        options = []
        if k <= len(before):
            prefix = " ".join(before[-k:])
            if _has_word(prefix) and picks(prefix=prefix):
                options.append({"prefix": prefix})
        if k <= len(after):
            suffix = " ".join(after[:k])
            if _has_word(suffix) and picks(suffix=suffix):
                options.append({"suffix": suffix})
        if options:
            return min(options, key=lambda o: len(next(iter(o.values()))))  # prefix first on a tie
    for k in range(1, MAX_CONTEXT_WORDS + 1):
        prefix, suffix = " ".join(before[-k:]), " ".join(after[:k])
        if (prefix or suffix) and picks(prefix, suffix):
            return {k_: v for k_, v in (("prefix", prefix), ("suffix", suffix)) if v}
    return None


def _article_language(content: Path, article_id: str, quote: str) -> str:
    for suffix in YAML_SUFFIXES:
        meta = content / "articles" / f"{article_id}{suffix}"
        if meta.is_file():
            doc, _ = load_yaml_file(meta, display_path(meta))
            lang = doc.data.get("language") if isinstance(doc.data, dict) else None
            if lang in LANGUAGES:
                return lang
    return _guess_language(quote)


def _keys_of(path: Path) -> list[str]:
    if not path.is_file():
        return []
    doc, _ = load_yaml_file(path, display_path(path))
    return list(doc.data) if isinstance(doc.data, dict) else []


def claim_skeleton(content: Path, article_id: str, lang: str, excerpt: dict, today: dt.date) -> str:
    other = "en" if lang == "ar" else "ar"
    data = {
        "status": "draft",
        "claim": _bilingual("the claim checked, as its author made it"),
        "claimant": _bilingual("who made the claim"),
        "verdict": "TODO",
        "conclusion": _bilingual("one or two sentences: what is right or wrong"),
        "explanation": _bilingual("the evidence, in Markdown, with a link to each source"),
        "excerpts": [{"article": article_id, **excerpt, "translation": {other: _todo("the quote", other)}}],
        "sources": [{"url": "https://TODO", "title": "TODO: the source's title",
                     "publisher": "TODO: who published the source"}],
        "reviewer": "TODO",
        "published": today,
    }
    body = dump(data, "claim")
    scale = ", ".join(_keys_of(content / "verdicts.yaml")) or "a key of verdicts.yaml"
    body = body.replace("\nverdict: TODO\n", f"\nverdict: TODO  # one of: {scale}\n", 1)
    body = body.replace("status: draft\n", "status: draft  # then review; to publish, delete this line\n", 1)
    people = _keys_of(content / "people.yaml")
    desk = ", ".join(people[:8]) or "none yet"
    body = body.replace("\nreviewer: TODO\n", f"\nreviewer: TODO  # who reviews it, a key of people.yaml: {desk}\n", 1)
    topics = ", ".join(_keys_of(content / "topics.yaml")[:8]) or "none yet"
    tags = ", ".join(_keys_of(content / "tags.yaml")[:8]) or "none yet"
    trailer = [
        "# Optional fields: remove the `# ` to use one.",
        f"# topic: {(_keys_of(content / 'topics.yaml') or ['a-topic'])[0]}  # a key of topics.yaml: {topics}",
        f"# tags: [{(_keys_of(content / 'tags.yaml') or ['a-tag'])[0]}]  # keys of tags.yaml: {tags}",
        f"# author: {(people or ['an-id'])[0]}  # a key of people.yaml, or a name: {{ar: …, en: …}}",
        "# related: [another-claim-id]",
        "# Once published, a change is recorded with `updated:` and a `corrections:` entry (editors' guide).",
    ]
    text = schema_comment("claim", nested=True) + "\n" + body + "\n".join(trailer) + "\n"
    return canonical(text, "claim", "new claim", nested=True).text


def _claim(args) -> int:
    content = args.content
    article_id = _check_id(args.article, "article")
    quote = " ".join(args.quote.split())
    if not quote:
        raise UsageError("--quote is empty: give the article's exact words")
    claims = content / "claims"
    if args.id is not None:
        _check_id(args.id, "claim")
        if existing := _existing(claims, args.id):
            print(f"error: {display_path(existing)} already exists; nothing written "
                  "(choose another --id, or edit that file)", file=sys.stderr)
            return 1
    articles = content / "articles"
    text_path = articles / f"{article_id}.txt"
    if not text_path.is_file():
        known = sorted(p.stem for p in articles.glob("*.txt")) if articles.is_dir() else []
        close = difflib.get_close_matches(article_id, known, n=1, cutoff=0.6)
        hint = f"did you mean `{close[0]}`?" if close else (
            "known articles: " + ", ".join(known) if known else "add it first: python -m generator new article")
        raise UsageError(f"no article `{article_id}` in {display_path(articles)}/ ({hint})")
    shown = display_path(text_path)
    text, problem = read_text(text_path, shown, limits.MAX_TEXT_BYTES)
    if problem:
        report([problem], stream=sys.stderr)
        return 1
    index = ArticleIndex(text)

    found = anchor(index, quote)
    if found.status is Status.NOT_FOUND:
        _print_problem(quote_problem(found, index, article_id, shown))
        print("nothing written", file=sys.stderr)
        return 1
    spans = ((found.start, found.end),) if found.found else found.spans
    occurrence = args.occurrence or 1
    if not 1 <= occurrence <= len(spans):
        raise UsageError(f"--occurrence {occurrence}: the quote occurs {len(spans)} time(s) in `{article_id}`")
    span = spans[occurrence - 1]
    if found.tier is Tier.LOOSE:
        _print_problem(quote_problem(found, index, article_id, shown) if found.found else QuoteProblem(
            "quote", "quote-normalized", "the quote matches the article only after ignoring diacritics, "
            "Persian letter forms or Arabic punctuation", "", severity=Severity.WARNING))
        exact = " ".join(index.text[span[0]:span[1]].split())
        if anchor(index, exact).tier is Tier.SAFE:
            quote = exact
            print(f"the quote is written as the article has it: «{quote}»", file=sys.stderr)
    excerpt: dict[str, str] = {"quote": quote}
    if not anchor(index, quote).found:  # more than one occurrence: a prefix or suffix must pick one
        context = _context(index, quote, span)
        if context is None:
            print(f"error: the quote occurs {len(spans)} times in `{article_id}` and no prefix or suffix of up to "
                  f"{MAX_CONTEXT_WORDS} words picks out occurrence {occurrence}; quote a longer passage",
                  file=sys.stderr)
            return 1
        excerpt.update(context)
        print(f"the quote occurs {len(spans)} times in `{article_id}`:", file=sys.stderr)
        for n, (a, b) in enumerate(spans[:MAX_LISTED], 1):
            before = " ".join(context_of(index, a, b)[0].split()[-6:])
            print(f"  {n}. line {index.line_of(a)}: …{before} «{' '.join(index.text[a:b].split())}»", file=sys.stderr)
        if len(spans) > MAX_LISTED:
            print(f"  … and {len(spans) - MAX_LISTED} more", file=sys.stderr)
        key, value = next(iter(context.items()))
        print(f"quoting occurrence {occurrence}, picked out by {key}: \"{value}\"", file=sys.stderr)
        if not args.occurrence:
            print("  to quote another one, run again with --occurrence N", file=sys.stderr)

    lang = _article_language(content, article_id, quote)
    skeleton = claim_skeleton(content, article_id, lang, excerpt, dt.date.today())
    if args.id is not None:
        target = claims / f"{args.id}.yaml"
        try:
            write_new(target, skeleton.encode("utf-8"))
        except FileExistsError:
            print(f"error: {display_path(target)} already exists; nothing written", file=sys.stderr)
            return 1
    else:
        n = 1
        while True:
            slug = f"claim-{article_id}-{n}"
            target = claims / f"{slug}.yaml"
            if not _existing(claims, slug):
                try:
                    write_new(target, skeleton.encode("utf-8"))
                    break
                except FileExistsError:
                    pass
            n += 1
    print(f"wrote {display_path(target)}")
    print("next: replace every TODO (`python -m generator validate` lists those left), then preview with "
          "`python -m generator serve`")
    return 0


# ---------------------------------------------------------------- new article


def article_skeleton(lang: str) -> str:
    data = {
        "title": {
            "ar": _todo("the headline" + (" (translated)" if lang != "ar" else ""), "ar"),
            "en": _todo("the headline" + (" (translated)" if lang != "en" else ""), "en"),
        },
        "outlet": _bilingual("the outlet that published it"),
        "published": "TODO",
        "language": lang,
    }
    body = dump(data, "article").replace("\npublished: TODO\n", "\npublished: TODO  # the article's date, YYYY-MM-DD\n")
    trailer = [
        "# Optional fields: remove the `# ` to use one.",
        "# url: https://…  # where the article was published",
        "# authors: [Name One, Name Two]",
        "# note: {ar: …, en: …}  # provenance, when the outlet, date or address is uncertain",
    ]
    text = schema_comment("article", nested=True) + "\n" + body + "\n".join(trailer) + "\n"
    return canonical(text, "article", "new article", nested=True).text


def _article(args) -> int:
    content = args.content
    article_id = _check_id(args.id, "article")
    source: Path = args.text
    if not source.is_file():
        raise UsageError(f"--text {source}: no such file")
    text, problem = read_text(source, str(source), limits.MAX_TEXT_BYTES)
    if problem:
        report([problem], stream=sys.stderr)
        print("nothing written", file=sys.stderr)
        return 1
    if not text.strip():
        print(f"error: {source} is empty; nothing written", file=sys.stderr)
        return 1
    articles = content / "articles"
    if existing := _existing(articles, article_id, (".txt", *YAML_SUFFIXES)):
        print(f"error: {display_path(existing)} already exists; nothing written "
              "(choose another --id, or edit the existing article)", file=sys.stderr)
        return 1
    lang = args.language or _guess_language(text)
    skeleton = article_skeleton(lang)
    text_path, meta_path = articles / f"{article_id}.txt", articles / f"{article_id}.yaml"
    try:
        write_new(text_path, source.read_bytes())  # verbatim: the bytes as given
        try:
            write_new(meta_path, skeleton.encode("utf-8"))
        except BaseException:
            text_path.unlink(missing_ok=True)
            raise
    except FileExistsError as exc:
        print(f"error: {display_path(Path(exc.filename or meta_path))} already exists; nothing written",
              file=sys.stderr)
        return 1
    print(f"wrote {display_path(text_path)} (the text, byte for byte)")
    print(f"wrote {display_path(meta_path)} (language: {lang}{'' if args.language else ', guessed from the text'})")
    print("next: replace every TODO in the .yaml (`python -m generator validate` lists those left), "
          f"then quote it: python -m generator new claim --article {article_id} --quote \"…\"")
    return 0
