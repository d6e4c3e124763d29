"""ClaimReview structured data (schema.org; Google's fact-check markup), one per claim page."""
from __future__ import annotations

from .pages import Page, claim_url

FEED = "claimreview.json"  # at each language's root


def _org(name: str, url: str | None = None) -> dict:
    return {"@type": "Organization", "name": name, **({"url": url} if url else {})}


def claim_review(context: dict, lang: str) -> dict:
    """The ClaimReview of a claim page, from its context (render/pages.py `claims`)."""
    claim, verdicts, settings = context["claim"], context["verdicts"], context["settings"]
    verdict = verdicts[claim.verdict]
    on_scale = [v.rating for v in verdicts.values() if v.rating >= 1]
    rating = {"@type": "Rating", "alternateName": verdict.label[lang],
              "ratingExplanation": claim.conclusion[lang]}
    if verdict.rating >= 1 and on_scale:  # "unproven" sits outside the numeric scale
        rating.update(ratingValue=verdict.rating, bestRating=max(on_scale), worstRating=min(on_scale))
    appearances = []
    for aid in claim.articles:
        article = context["articles"][aid]
        appearances.append({
            "@type": "CreativeWork",
            "url": article.url or settings.url(lang, f"articles/{aid}/"),
            "headline": article.title[lang],
            "datePublished": article.published.isoformat(),
            "publisher": _org(article.outlet[lang]),
            "inLanguage": article.language,
        })
    first = min(appearances, key=lambda a: a["datePublished"])
    item = {"@type": "Claim", "author": _org(claim.claimant[lang]), "datePublished": first["datePublished"],
            "appearance": appearances, "firstAppearance": first}
    review = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": settings.url(lang, claim_url(claim.id)),
        "name": claim.conclusion[lang],
        "claimReviewed": claim.claim[lang],
        "inLanguage": lang,
        "author": _org(settings.organization[lang], settings.organization_url),
        "reviewRating": rating,
        "itemReviewed": item,
    }
    if claim.published:
        review["datePublished"] = claim.published.isoformat()
    if claim.date:  # the data feed tells aggregators what changed by it (site_files.py)
        review["dateModified"] = claim.date.isoformat()
    return review


def data_feed(pages: list[Page], settings, lang: str) -> dict:
    """A schema.org DataFeed of every claim page's ClaimReview, newest first: for fact-check aggregators,
    which read a site's checks from one file rather than page by page. Each element is the very object
    the page carries (`claim_review` of the page's context), so the two cannot disagree; the feed's own
    dateModified is the newest of theirs (a content date: the same content gives the same bytes). Only
    published claims, as on the pages: even an internal `--drafts` site gives aggregators none other."""
    reviews = [claim_review(page.context, lang) for page in pages
               if page.template == "claim.md.j2" and page.context["claim"].is_published]
    reviews.sort(key=lambda r: (r.get("dateModified", ""), r["url"]), reverse=True)
    feed = {
        "@context": "https://schema.org",
        "@type": "DataFeed",
        "name": f"{settings.organization[lang]} — ClaimReview",
        "url": settings.url(lang, FEED),
        "inLanguage": lang,
        "publisher": _org(settings.organization[lang], settings.organization_url),
    }
    if any("dateModified" in r for r in reviews):
        feed["dateModified"] = max(r["dateModified"] for r in reviews if "dateModified" in r)
    feed["dataFeedElement"] = reviews
    return feed
