"""ClaimReview structured data (schema.org; Google's fact-check markup), one per claim page."""
from __future__ import annotations



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
        "url": settings.url(lang, f"claims/{claim.id}/"),
        "name": claim.conclusion[lang],
        "claimReviewed": claim.claim[lang],
        "inLanguage": lang,
        "author": _org(settings.organization[lang], settings.organization_url),
        "reviewRating": rating,
        "itemReviewed": item,
    }
    if claim.published:
        review["datePublished"] = claim.published.isoformat()
    if claim.updated:
        review["dateModified"] = claim.updated.isoformat()
    return review
