"""From page to finished item: extraction, normalisation and hashing as plain functions.

The pipelines call ``normalize_article`` and ``hash_article``; ``extract_article`` runs the
same steps for the ``extract`` command and re-processing, so both give identical items.
"""

from __future__ import annotations

import lxml.etree
import lxml.html
from parsel import Selector
from w3lib.encoding import html_to_unicode

from newsbot.errors import ArticleMismatch, IncompleteArticle, InvalidArticleUrl
from newsbot.items import REQUIRED_FIELDS, Article
from newsbot.output.hashing import content_hash
from newsbot.pages import ArticlePage, parse_page
from newsbot.text import clean_inline, normalize_text
from newsbot.urls import ArticleId, parse_article_url


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Decode a saved or fetched page.

    Bytes that are valid UTF-8 are UTF-8, whatever the page or the server declares: saved
    pages are often re-encoded without fixing their ``<meta charset=euc-kr>``, servers
    sometimes send a wrong charset, and EUC-KR Korean text is practically never valid
    UTF-8. Otherwise the HTTP ``Content-Type`` charset, the BOM, the ``<meta>`` declaration
    and then detection decide, with EUC-KR read as its superset CP949.
    """
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    _, text = html_to_unicode(content_type, body, default_encoding="cp949")
    return text


def normalize_article(article: Article) -> Article:
    """Every text field cleaned in place (NFC, invisibles out, whitespace collapsed)."""
    article.title = clean_inline(article.title) or ""
    article.publisher = clean_inline(article.publisher)
    article.categories = [c for c in (clean_inline(x) for x in article.categories) if c]
    article.category = clean_inline(article.category)
    if article.subtitle is not None:
        lines = [clean_inline(line) for line in article.subtitle.split("\n")]
        article.subtitle = "\n".join(line for line in lines if line) or None
    for author in article.authors:
        author["name"] = clean_inline(author["name"]) or ""
        author["email"] = clean_inline(author["email"])
    article.authors = [a for a in article.authors if a["name"]]
    article.author = ", ".join(a["name"] for a in article.authors) or None
    for image in article.images:
        image["url"] = clean_inline(image["url"]) or ""
        image["caption"] = clean_inline(image["caption"])
    article.original_url = clean_inline(article.original_url)
    article.content = normalize_text(article.content)
    return article


def hash_article(article: Article) -> Article:
    """Set ``content_hash`` from ``content`` (see ``newsbot.output.hashing``)."""
    article.content_hash = content_hash(article.content)
    return article


def missing_required(article: Article) -> list[str]:
    """The required fields (``REQUIRED_FIELDS``) an article lacks."""
    return [name for name in REQUIRED_FIELDS if getattr(article, name) in (None, "", [])]


def validate_article(article: Article) -> Article:
    """Raise ``IncompleteArticle`` naming the required fields the article lacks."""
    missing = missing_required(article)
    if missing:
        raise IncompleteArticle(f"missing required field(s) {', '.join(missing)}")
    return article


def finalize(article: Article) -> Article:
    """The one processing path of every article, crawled (``ArticlePipeline``), reparsed or
    extracted: normalise, validate, hash. Raises ``IncompleteArticle``."""
    return hash_article(validate_article(normalize_article(article)))


def extract_article(url: str, html: str, *, crawled_at: str | None) -> Article:
    """Extract, normalise and hash the article at ``url`` from its page ``html``.

    Raises ``InvalidArticleUrl`` for a URL that is not a Naver article, and an
    ``ExtractError`` subclass for a page that is not an article newsbot knows.
    """
    page = page_for(parse_article_url(url), Selector(text=html))
    return finalize(page.to_article(crawled_at))


def page_for(article_id: ArticleId, selector: Selector) -> ArticlePage:
    """The layout's page object for the article ``article_id``, after checking that the page
    is that article (a redirect or a stale cache can serve another one)."""
    page = parse_page(article_id, selector)
    declared = declared_article_id(page.meta("og:url"))
    if declared is not None and declared != article_id:
        raise ArticleMismatch(f"the page is article {declared.key}, not {article_id.key}")
    return page


def declared_article_id(og_url: str | None) -> ArticleId | None:
    """The article a page says it is (its ``og:url``), if that is an article URL."""
    try:
        return parse_article_url(og_url) if og_url else None
    except InvalidArticleUrl:
        return None


def selector_from_bytes(body: bytes, content_type: str | None = None) -> Selector:
    """An HTML selector over a fetched or saved page, decoded as ``decode_html`` says.

    The bytes are parsed as UTF-8 straight away (nearly every page is), without decoding
    them into a string first; only when libxml2 reports bytes that are not UTF-8 is the
    page decoded by ``decode_html`` (declared charset, then detection) and parsed again."""
    parser = lxml.html.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)
    cleaned = body.replace(b"\x00", b"").strip() or b"<html/>"
    try:
        root = lxml.etree.fromstring(cleaned, parser=parser)
    except lxml.etree.XMLSyntaxError:
        root = None
    if root is None or any(e.type in _ENCODING_ERRORS for e in parser.error_log):
        return Selector(text=decode_html(body, content_type))
    return Selector(root=root, type="html")


_ENCODING_ERRORS = frozenset(
    {lxml.etree.ErrorTypes.ERR_INVALID_CHAR, lxml.etree.ErrorTypes.ERR_INVALID_ENCODING}
)
