"""The article page's text: the verbatim article with every checked excerpt highlighted (highlight.py)."""
from __future__ import annotations

from markupsafe import Markup

from .highlight import Highlight, highlight
from .pages import anchor_id


def article_html(context: dict, lang: str) -> Markup:
    """Links relative to the article page (articles/<id>/)."""
    article, verdicts = context["article"], context["verdicts"]
    marks = []
    for claim in context["claims"]:
        verdict = verdicts[claim.verdict]
        for i, ex in enumerate(claim.excerpts):
            if ex.article == article.id:
                marks.append(Highlight(ex.start, ex.end, anchor_id(claim.id, i), f"../../claims/{claim.id}/",
                                       claim.verdict, verdict.label[lang], claim.claim[lang],
                                       lang if lang != article.language else ""))
    return highlight(article.text, marks)
