"""``newsbot doctor``: a live self-check of every step of a crawl, with a few real requests.

Everything newsbot knows of Naver comes from saved pages; the real site can only be seen by
whoever runs newsbot. The doctor makes a small, announced number of requests (at most
``planned_requests()``), with the crawl's own settings (User-Agent, proxy, politeness), and
checks what a crawl depends on:

* robots.txt of news.naver.com and n.news.naver.com, and any sign of blocking (403, 429,
  captcha pages, empty answers);
* the cursor list (``SECTION_ARTICLE_LIST_FOR_LATEST``) of one sub-section of each of two
  sections, first page and two ``next`` pages (cards, the title links, the cursor: changed,
  and of a known shape), the old ``list.naver`` date list and a press list, the sports and
  entertainment JSON lists;
* three n.news articles (layout, every field and the selector that gave it, dates, body
  length, captions and players kept out of the text, the hash), one sports and one
  entertainment article through their JSON;
* the comment-count probe of one article, and the Search API when a key is set.

Each check is ``ok``, ``drift`` (newsbot saw something new but a crawl would still work: a
cursor of a new shape, a fallback selector) or ``failed`` (a crawl would lose data: no
cards, a field missing on every article, blocked). The exit status is 0, 5 or 1 by the
worst. The JSON report (``--output``) is meant to be attached to an issue: the checks, the
shapes seen, newsbot's version; no field of an article longer than 200 characters, and no
key.

The package, in the order a run goes: ``command`` (the settings, the run), ``spider`` (the
announced requests), ``checks`` (pure: an answer's bytes in, a ``Check`` out), ``verdict``
(the exit status, the table, the JSON report). Every name is importable from here.
"""

from __future__ import annotations

from newsbot.doctor.checks import (
    DRIFT,
    EXPECTED,
    FAILED,
    FIELDS,
    MAX_FIELD_CHARS,
    OK,
    QUIET,
    SKIPPED,
    WATCHED,
    Check,
    FieldSeen,
    blocking_sign,
    captcha_sign,
    check_api_article,
    check_comment_probe,
    check_cursor_page,
    check_fields,
    check_list,
    check_news_article,
    check_robots,
    check_search,
    cursor_shape,
    kept_out,
    sample,
)
from newsbot.doctor.command import UnretriedHandler, doctor_settings, run
from newsbot.doctor.spider import (
    LIST_PAGES,
    NEWS_ARTICLES,
    PRESS_CHECKED,
    SEARCH_QUERY,
    SECTIONS_CHECKED,
    SPORTS_CHECKED,
    DoctorSpider,
    planned_requests,
)
from newsbot.doctor.verdict import (
    EXIT_BAD_INPUT,
    EXIT_DRIFT,
    EXIT_FAILED,
    EXIT_OK,
    report,
    summary,
    table,
    worst,
    write_json,
)

__all__ = [
    "DRIFT",
    "EXIT_BAD_INPUT",
    "EXIT_DRIFT",
    "EXIT_FAILED",
    "EXIT_OK",
    "EXPECTED",
    "FAILED",
    "FIELDS",
    "LIST_PAGES",
    "MAX_FIELD_CHARS",
    "NEWS_ARTICLES",
    "OK",
    "PRESS_CHECKED",
    "QUIET",
    "SEARCH_QUERY",
    "SECTIONS_CHECKED",
    "SKIPPED",
    "SPORTS_CHECKED",
    "WATCHED",
    "Check",
    "DoctorSpider",
    "FieldSeen",
    "UnretriedHandler",
    "blocking_sign",
    "captcha_sign",
    "check_api_article",
    "check_comment_probe",
    "check_cursor_page",
    "check_fields",
    "check_list",
    "check_news_article",
    "check_robots",
    "check_search",
    "cursor_shape",
    "doctor_settings",
    "kept_out",
    "planned_requests",
    "report",
    "run",
    "sample",
    "summary",
    "table",
    "worst",
    "write_json",
]
