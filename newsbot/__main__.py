"""newsbot: collect Naver News into a clean, verifiable corpus.

The ``newsbot`` command (also ``python -m newsbot``): ``crawl`` (exactly ``scrapy crawl
naver``), ``export``, ``stats``, ``sections``, ``doctor``, ``extract``, ``verify``,
``reindex``, ``reparse``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from newsbot.article import decode_html, extract_article
from newsbot.dates import now_kst, parse_naver_datetime, to_iso
from newsbot.errors import ConfigError, NewsbotError, describe_exception
from newsbot.render import render_article

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "-7d" (seven days ago) is a value, as "-7" would be: argparse must not take it
        # for an option.
        self._negative_number_matcher = re.compile(r"^-\d+d?$|^-\d*\.\d+$")

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see --help)\n")


def _fail(message: str) -> int:
    print(f"newsbot: error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _cmd_extract(args: argparse.Namespace) -> int:
    try:
        raw = Path(args.path).read_bytes()
    except OSError as exc:
        return _fail(f"cannot read {args.path}: {exc.strerror or exc}")
    crawled_at = to_iso(now_kst())
    if args.crawled_at:
        parsed = parse_naver_datetime(args.crawled_at)
        if parsed is None:
            return _fail(f"--crawled-at is not a date and time: {args.crawled_at!r}")
        crawled_at = to_iso(parsed)
    try:
        article = extract_article(
            args.url, decode_html(raw, args.content_type), crawled_at=crawled_at
        )
    except NewsbotError as exc:
        return _fail(f"{args.path}: {exc}")
    except Exception as exc:  # a hostile page: one line, never a traceback
        return _fail(f"{args.path}: cannot extract: {describe_exception(exc)}")
    if args.format == "markdown":
        sys.stdout.write(render_article(article.to_dict(), args.template))
    else:
        sys.stdout.write(json.dumps(article.to_dict(), ensure_ascii=False) + "\n")
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:
    from newsbot.verify import PARTLY, TemplateError, Verifier, verify_paths

    missing = [name for name in args.paths if not os.path.exists(name)]
    if missing:
        return _fail(f"no such file or directory: {missing[0]}")
    try:
        verifier = Verifier(args.template or None)
    except TemplateError as exc:
        return _fail(str(exc))
    ok = bad = 0
    partly = dict.fromkeys(PARTLY, 0)  # why a file was checked only in part -> how many
    for verdict in verify_paths([Path(p) for p in args.paths], verifier):
        if verdict.problem:
            bad += 1
            print(f"{verdict.name}: {verdict.problem}", file=sys.stderr)
        else:
            ok += 1
            if verdict.partly:
                partly[verdict.partly] = partly.get(verdict.partly, 0) + 1
    sys.stderr.flush()
    print(f"{ok} ok, {bad} failed" + "".join(f"; {n} {why}" for why, n in partly.items() if n))
    return 1 if bad else 0


def _cmd_reindex(args: argparse.Namespace) -> int:
    """The index of an output directory rebuilt from its files (``newsbot.reindex``)."""
    import time

    from newsbot.reindex import NOT_REBUILT, TRUSTED, NotOutputDirectory, ReindexResult, rebuild
    from newsbot.verify import TemplateError

    root = Path(args.directory)
    if not root.is_dir():
        return _fail(f"no such directory: {args.directory}")
    last = [time.monotonic()]

    def progress(result: ReindexResult) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_SECONDS:
            last[0] = now
            print(
                f"newsbot: reindex: {result.files} file(s) read, {result.articles} indexed",
                file=sys.stderr,
                flush=True,
            )

    try:
        result = rebuild(root, template=args.template or None, progress=progress)
    except (NotOutputDirectory, TemplateError) as exc:
        return _fail(str(exc))
    except OSError as exc:
        print(
            f"newsbot: error: {args.directory}: {exc.strerror or exc}; the index is as it was",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print("newsbot: reindex stopped; the index is as it was", file=sys.stderr)
        return 3
    for problem in result.problems:
        print(f"newsbot: {problem}", file=sys.stderr)
    sys.stderr.flush()
    kept = f"; the old one kept as {result.kept}" if result.kept else ""
    problems = f"; {len(result.problems)} problem(s), see above" if result.problems else ""
    print(
        f"reindexed {result.articles} article(s) and {result.comments} comments file(s) into "
        f"{result.index}{kept}{problems}"
    )
    print(NOT_REBUILT)
    print(TRUSTED)
    return 1 if result.problems else 0


PROGRESS_SECONDS = 5.0


def _day(value: str | None, option: str) -> str | None:
    """``YYYY-MM-DD`` (or ``today``, ``yesterday``, ``-Nd``, Korea time) checked, or ``None``."""
    if value is None:
        return None
    from newsbot.args import parse_day
    from newsbot.dates import today_kst

    try:
        return parse_day(value, today_kst()).isoformat()
    except ValueError as exc:
        raise ValueError(f"{option} {value!r}: {exc}") from None


class _Stopped(Exception):
    """SIGTERM or SIGHUP during ``newsbot reparse``: its jobs are stopped with it."""


def _cmd_reparse(args: argparse.Namespace) -> int:
    import time

    from newsbot import runtime
    from newsbot.archive import ReparseJobError, ReparseResult, reparse, reparse_jobs
    from newsbot.storage import OutputStore, WriteError

    inputs = [Path(p) for p in args.archives]
    missing = [str(p) for p in inputs if not p.exists()]
    if missing:
        return _fail(f"no such archive: {missing[0]}")
    try:
        start, end = _day(args.start, "--start"), _day(args.end, "--end")
    except ValueError as exc:
        return _fail(str(exc))
    if start and end and start > end:
        return _fail(f"--start {start} is after --end {end}")
    last = [time.monotonic()]

    def progress(result: ReparseResult) -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_SECONDS:
            return
        last[0] = now
        rate = result.bytes_read / 1e6 / result.seconds if result.seconds else 0.0
        if result.phase == "plan":  # the pass that reads headers only
            what = f"finding the newest fetches: {result.records} record(s)"
        else:
            what = f"{result.records} record(s), {result.articles} article(s)"
        print(
            f"newsbot: reparse: {what}, {result.bytes_read / 1e6:.0f} MB read, {rate:.1f} MB/s",
            file=sys.stderr,
            flush=True,
        )

    if args.jobs < 1:
        return _fail(f"--jobs {args.jobs}: give 1 or more")

    def job_done(finished: int, of: int, part: ReparseResult) -> None:
        print(
            f"newsbot: reparse: job {finished} of {of} done: {part.records} record(s), "
            f"{part.articles} article(s) in {part.seconds:.0f} s",
            file=sys.stderr,
            flush=True,
        )

    import signal

    def stop(signum: int, frame: Any) -> NoReturn:
        raise _Stopped(signal.Signals(signum).name)

    handlers = {
        number: signal.signal(number, stop)
        for number in (signal.SIGTERM, getattr(signal, "SIGHUP", None))
        if number is not None
    }
    try:
        root = Path(args.output).resolve()
        store = OutputStore(root, template=args.template)  # also checks the directory
        if args.jobs > 1:
            store.index.close()
            result = reparse_jobs(
                inputs,
                root,
                jobs=args.jobs,
                template=args.template,
                start=start,
                end=end,
                done=job_done,
            )
        else:
            runtime.tune()
            result = reparse(inputs, store, start=start, end=end, progress=progress)
    except (_Stopped, KeyboardInterrupt) as exc:
        # The jobs are stopped (reparse_jobs); files are whole, each written atomically.
        reason = str(exc) or "SIGINT"
        print(
            f"newsbot: reparse stopped by {reason}; files already written are intact",
            file=sys.stderr,
        )
        return 3
    except ReparseJobError as exc:
        return _fail(f"{exc}; files already written are intact")
    except WriteError as exc:
        return _fail(f"{exc.strerror}; files already written are intact")
    except OSError as exc:
        return _fail(f"cannot use {args.output}: {exc.strerror or exc}")
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
    for problem in result.problems:
        print(f"newsbot: warning: {problem}", file=sys.stderr)
    for url, reason in sorted(result.failures.items()):
        print(f"newsbot: not extracted: {url}: {reason}", file=sys.stderr)
    for url, reason in sorted(result.replaced.items()):
        print(
            f"newsbot: warning: newest fetch not extracted, an older one written: {url}: {reason}",
            file=sys.stderr,
        )
    rate = result.articles / result.seconds if result.seconds else 0.0
    counts = ", ".join(f"{n} {k}" for k, n in sorted(result.outcomes.items())) or "no articles"
    damaged = (
        f"; {len(result.problems)} archive problem(s) (unreadable parts skipped, see above)"
        if result.problems
        else ""
    )
    replaced = (  # not failures: an older fetch gave the article (a warning each, above)
        f" ({len(result.replaced)} newest fetch(es) not extracted, an older one written)"
        if result.replaced
        else ""
    )
    skipped = result.skipped_line()
    if skipped:
        print(skipped)  # records without an article: not a problem
    comments = (
        f"; comments of {result.comment_articles} article(s) from "
        f"{result.comment_pages} comment answer(s)"
        if result.comment_pages
        else ""
    )
    print(
        f"reparsed {result.records} record(s): {counts}{comments}; "
        f"{len(result.failures)} failed{replaced}; {rate:.0f} articles/s{damaged}"
    )
    return 1 if result.failures or result.problems else 0


def _cmd_crawl(args: argparse.Namespace) -> int:
    """``scrapy crawl naver`` with these arguments, in this process: the same crawl, the
    same exit status (``newsbot.commands.crawl``)."""
    from newsbot.args import ARGUMENTS

    if not (args.date or args.start or args.end or args.urls):
        return _fail(
            "give the day to collect: --date 2026-05-30 (or today, yesterday, -2d), or "
            "--start DAY --end DAY (scrapy crawl naver alone collects today)"
        )
    argv = ["scrapy", "crawl", "naver"]
    for name in ARGUMENTS:
        value = getattr(args, name, None)
        if value is None or value is False:
            continue
        argv += ["-a", f"{name}={'1' if value is True else value}"]
    if args.limit is not None and args.limit < 1:
        return _fail(f"--limit {args.limit}: give 1 or more")
    options = {  # the common settings, as options: -s below still wins
        "NEWSBOT_OUTPUT_DIR": args.output,
        "NEWSBOT_CONTACT": args.contact,
        "JOBDIR": args.jobdir,
        "LOG_FILE": args.log_file,
        "NEWSBOT_LIMIT": args.limit,
        "NEWSBOT_ARCHIVE": "True" if args.archive else None,
        # newsbot's own lines on the terminal; Scrapy's with --verbose (and in LOG_FILE)
        "NEWSBOT_QUIET": None if args.verbose else "True",
    }
    for name, value in options.items():
        if value is not None:
            argv += ["-s", f"{name}={value}"]
    for setting in args.set:
        if "=" not in setting:
            return _fail(f"-s {setting!r}: expected NAME=VALUE")
        argv += ["-s", setting]
    # From any directory: the settings are newsbot's unless the environment names others.
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "newsbot.settings")
    from scrapy.cmdline import execute

    try:
        execute(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0


def _selection(args: argparse.Namespace) -> Any:
    from newsbot.corpus import Selection

    start, end = _day(args.start, "--start"), _day(args.end, "--end")
    if start and end and start > end:
        raise ValueError(f"--start {start} is after --end {end}")
    return Selection.of(
        start=start,
        end=end,
        sections=_list(args.sections),
        press=_list(args.press),
    )


def _list(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _cmd_export(args: argparse.Namespace) -> int:
    import time
    import warnings
    from collections.abc import Iterator

    from newsbot import corpus
    from newsbot.export import FORMATS, comments_path, write
    from newsbot.safeio import OutputRefused, output_target

    root = Path(args.directory)
    if not root.is_dir():
        return _fail(f"no such directory: {args.directory}")
    output = Path(args.output)
    fmt = args.format or output.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        return _fail(f"--format: give one of {', '.join(FORMATS)} (or an -o FILE ending in one)")
    if args.comments and args.output == "-":
        return _fail("--comments writes a second file beside -o FILE: name a file, not -")
    targets = [output, *([comments_path(output)] if args.comments else [])]
    for target in targets:  # a FIFO, device or directory: refused before any work
        try:
            output_target(target)
        except OutputRefused as exc:
            return _fail(f"-o {target}: {exc}")
    try:
        selection = _selection(args)
    except ValueError as exc:
        return _fail(str(exc))
    last = [time.monotonic()]

    def progress(n: int) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_SECONDS:
            last[0] = now
            print(f"newsbot: export: {n} row(s) written so far", file=sys.stderr, flush=True)

    sids: set[str] = set()

    def noting_sections(rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for row in rows:
            if row["sid"] is not None:
                sids.add(row["sid"])
            yield row

    try:
        with warnings.catch_warnings():  # each unreadable file is named below, not warned of
            warnings.simplefilter("ignore", corpus.CorpusWarning)
            rows = noting_sections(corpus.articles(root, selection, template=args.template))
            count = write(rows, output, fmt, progress=progress)
            counted = f"{count} article(s) to {output}"
            if args.comments:
                target = comments_path(output)
                rows = corpus.comments(root, selection, template=args.template)
                n = write(rows, target, fmt, table="comments")
                counted += f", {n} comment(s) to {target}"
    except ImportError as exc:
        return _fail(f"{exc}: Parquet needs pyarrow (pip install pyarrow)")
    except OutputRefused as exc:  # replaced by a FIFO or device since the check above
        return _fail(f"-o {args.output}: {exc}")
    except (sqlite3.Error, ValueError) as exc:  # a damaged index, a template it cannot read
        return _fail(f"cannot read {args.directory}: {exc}")
    except OSError as exc:
        print(f"newsbot: error: cannot write {output}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    for sid in sorted(selection.sections - sids):  # a sid is taken as given: say it if absent
        print(f"newsbot: export: no article of section {sid} was selected", file=sys.stderr)
    for problem in selection.problems:
        print(f"newsbot: not exported: {problem}", file=sys.stderr)
    summary = f"exported {counted}" + (f"; {len(selection.problems)} file(s) unreadable"
                                       if selection.problems else "")  # fmt: skip
    # With -o -, the rows are standard output: the summary goes to standard error.
    print(summary, file=sys.stderr if args.output == "-" else sys.stdout)
    return 1 if selection.problems else 0


def _cmd_stats(args: argparse.Namespace) -> int:
    from newsbot.safeio import OutputRefused, output_stream, output_target
    from newsbot.stats import NoIndex, collect, html_page, text

    root = Path(args.directory)
    if not root.is_dir():
        return _fail(f"no such directory: {args.directory}")
    if args.html:
        try:
            output_target(args.html)
        except OutputRefused as exc:
            return _fail(f"--html {args.html}: {exc}")
    try:
        stats = collect(root)
    except NoIndex as exc:
        return _fail(str(exc))
    except sqlite3.Error as exc:
        print(f"newsbot: error: cannot read the index: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(stats.to_dict(), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(text(stats))
    for problem in stats.problems:
        print(f"newsbot: not read: {problem}", file=sys.stderr)
    if args.html:
        target = Path(args.html)
        try:
            with output_stream(target) as out:
                out.write(html_page(stats).encode("utf-8"))
        except OutputRefused as exc:
            return _fail(f"--html {args.html}: {exc}")
        except OSError as exc:
            print(f"newsbot: error: cannot write {target}: {exc.strerror or exc}", file=sys.stderr)
            return 1
        print(f"newsbot: stats page written to {target}", file=sys.stderr)
    return 1 if stats.problems else 0


def _cmd_doctor(args: argparse.Namespace) -> int:
    """A live self-check of each step of a crawl (``newsbot.doctor``)."""
    from datetime import date, timedelta

    from newsbot.dates import today_kst

    today = today_kst()
    try:
        day = date.fromisoformat(_day(args.date, "--date") or str(today - timedelta(days=1)))
    except ValueError as exc:
        return _fail(str(exc))
    if day > today:
        return _fail(f"--date {day} is in the future (today in Korea is {today})")
    overrides = {}
    for setting in args.set:
        name, sep, value = setting.partition("=")
        if not sep or not name.strip():
            return _fail(f"-s {setting!r}: expected NAME=VALUE")
        overrides[name.strip()] = value
    output = Path(args.output) if args.output else None
    if output is not None:  # a FIFO, device or directory: refused before any request
        from newsbot.safeio import OutputRefused, output_target

        try:
            output_target(output)
        except OutputRefused as exc:
            return _fail(f"-o {args.output}: {exc}")
    from newsbot.doctor import run

    return run(day, output, overrides)


def _cmd_sections(args: argparse.Namespace) -> int:
    from newsbot.pages.api import SPORTS_SECTIONS
    from newsbot.sections import ENGLISH, SECTIONS, SUBSECTION_NAMES, SUBSECTIONS
    from newsbot.stats import pad

    rows = [("code", "name", "English", "sub-sections (sid2)")]
    for sid, name in SECTIONS.items():
        subs = ", ".join(
            f"{s} {SUBSECTION_NAMES[s]}" if s in SUBSECTION_NAMES else s for s in SUBSECTIONS[sid]
        )
        rows.append((sid, name, ENGLISH[sid], subs))
    rows.append(("106", "연예", "entertain", "(m.entertain.naver.com)"))
    rows.append(("107", "스포츠", "sports", ", ".join(SPORTS_SECTIONS)))
    rows.append(("110", "오피니언", "opinion", "(export --sections only: no listing to crawl)"))
    for code, name, english, subs in rows:
        print(f"{code:<6}{pad(name, 12)}{english:<11}{subs}")
    print(
        "\nGive sections by code or name: -a sections=정치,economy,105 (newsbot crawl --sections …)"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    from newsbot import __version__
    from newsbot.args import ARGUMENTS

    parser = _Parser(
        prog="newsbot",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"newsbot {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    crawl = commands.add_parser(
        "crawl",
        help="collect articles (exactly scrapy crawl naver)",
        description="Collect Naver News articles into the output directory: the crawl of "
        "'scrapy crawl naver -a …', with the same exit status (0 ok, 4 incomplete, 1 failed, "
        "3 interrupted, 2 bad arguments). Dates are Korea time.",
    )
    for name, (metavar, help_text) in ARGUMENTS.items():
        if name == "refresh":
            crawl.add_argument("--refresh", action="store_true", help=help_text)
        elif name == "comments":
            crawl.add_argument("--comments", choices=("off", "count", "all"), help=help_text)
        else:
            crawl.add_argument(f"--{name}", metavar=metavar, help=help_text)
    _output_dir_option(crawl, "the output directory")
    crawl.add_argument(
        "--contact",
        metavar="EMAIL",
        help="your e-mail or URL, sent in the User-Agent (NEWSBOT_CONTACT)",
    )
    crawl.add_argument(
        "--jobdir",
        metavar="DIR",
        help="keep the crawl's state here, to resume it after a stop (JOBDIR)",
    )
    crawl.add_argument(
        "--archive",
        action="store_true",
        help="also keep every fetched page raw in OUTPUT/archive/*.warc.gz (NEWSBOT_ARCHIVE)",
    )
    crawl.add_argument(
        "--log-file", metavar="FILE", help="the whole log, Scrapy's too, to FILE (LOG_FILE)"
    )
    crawl.add_argument(
        "--limit",
        type=int,
        metavar="N",
        help="a sample: stop after N articles fetched; the verdict says so (NEWSBOT_LIMIT)",
    )
    crawl.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="Scrapy's own lines on the terminal too (start-up, the stats dump)",
    )
    _settings_option(crawl)
    crawl.set_defaults(func=_cmd_crawl)

    export = commands.add_parser(
        "export",
        help="the whole corpus as one JSONL, CSV or Parquet file",
        description="Write every article of output directory DIR (every run's, not one "
        "crawl's) as one row: the front-matter fields and content (exactly the body: its "
        "SHA-256 is content_hash). CSV has a UTF-8 byte-order mark (Excel) and nested fields "
        "as JSON; Parquet needs pyarrow. Streams: memory stays flat however large the corpus.",
    )
    export.add_argument("directory", metavar="DIR", help="an output directory")
    export.add_argument(
        "-o", dest="output", required=True, metavar="FILE", help="the file to write (- stdout)"
    )
    _not_a_directory(export)
    export.add_argument(
        "--format", choices=("jsonl", "csv", "parquet"), help="default: from FILE's ending"
    )
    _select_options(export)
    export.add_argument(
        "--comments",
        action="store_true",
        help="also the comments table, to FILE's name + .comments (corpus.comments.parquet)",
    )
    export.add_argument("--template", help="the template the files were written with")
    export.set_defaults(func=_cmd_export)

    stats = commands.add_parser(
        "stats",
        help="what an output directory holds, with --html a page of charts",
        description="Articles per day and section and per publisher, missing-field rates, "
        "layouts, revisions and days with listing failures, read from the index and the "
        "crawl reports (no article file is opened).",
    )
    stats.add_argument("directory", metavar="DIR", help="an output directory")
    stats.add_argument("--html", metavar="FILE", help="also write one self-contained page")
    stats.add_argument("--json", action="store_true", help="print JSON instead of text")
    stats.set_defaults(func=_cmd_stats)

    sections = commands.add_parser(
        "sections", help="the sections and sub-sections, by code and name"
    )
    sections.set_defaults(func=_cmd_sections)

    doctor = commands.add_parser(
        "doctor",
        help="a one-minute live check of every step of a crawl: run it before a big crawl",
        description="With the crawl's own settings (User-Agent, proxy, politeness), make at "
        "most ~20 real requests (the number is printed first) and check each step a crawl "
        "depends on: robots.txt and blocking, the cursor lists (cards, cursor shape, paging), "
        "the old and press lists, the sports and entertainment lists, three n.news articles "
        "(layout, each field and its selector, dates, body, captions, hash), one sports and "
        "one entertainment article, the comment count, the Search API (with a key). Exit 0: "
        "every step as expected; 5: drift, a crawl would still work; 1: a crawl would lose "
        "data. If it reports drift, open an issue with its --output JSON.",
    )
    doctor.add_argument(
        "--date", metavar="DAY", help="the day to check (default: yesterday, Korea time)"
    )
    doctor.add_argument(
        "-o",
        dest="output",
        metavar="FILE.json",
        help="also write the JSON report, to attach to an issue (- stdout)",
    )
    _not_a_directory(doctor)
    _settings_option(doctor)
    doctor.set_defaults(func=_cmd_doctor)

    extract = commands.add_parser(
        "extract", help="extract one saved article page", description="Extract one saved page."
    )
    extract.add_argument("path", help="the saved HTML page")
    extract.add_argument("--url", required=True, help="the address the page was fetched from")
    extract.add_argument("--format", choices=("json", "markdown"), default="json")
    extract.add_argument(
        "--content-type",
        help="the HTTP Content-Type it was served with, e.g. 'text/html;charset=EUC-KR' "
        "(default: UTF-8 if the bytes are valid UTF-8, else the page's own declaration)",
    )
    extract.add_argument("--crawled-at", help="crawl time to record (default: now, Korea time)")
    extract.add_argument("--template", help="a Jinja2 template file instead of the packaged one")
    extract.set_defaults(func=_cmd_extract)

    verify = commands.add_parser(
        "verify",
        help="check written files: bodies against content_hash, whole files against the index",
        description="Check that each file's body hashes, byte for byte, to its front matter's "
        "content_hash. A directory is searched for *.md and *.comments.jsonl files. A file in "
        "an output directory (the folder holding the index, or one of its folders) is also "
        "checked against the index: the whole file as newsbot wrote it, front matter "
        "included, and its .comments.jsonl. A file elsewhere has its body checked only "
        "(the summary says how many).",
    )
    verify.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="Markdown files, or directories holding them (reports/ and archive/ skipped)",
    )
    verify.add_argument(
        "--template",
        help="the Jinja2 template the files were written with "
        "(default: $NEWSBOT_TEMPLATE, else the packaged one)",
    )
    verify.set_defaults(func=_cmd_verify)

    reindex = commands.add_parser(
        "reindex",
        help="rebuild a damaged or lost index from the files of an output directory",
        description="Rebuild the index of output directory DIR from its files: every "
        "YYYY/MM/DD/OID_AID.md gives its article's row (id, path, hashes, dates, title, "
        "publisher, section, layout, comment count), each file and .comments.jsonl is hashed "
        "as it is now. The new index replaces the old one in one rename; the old one is kept "
        "beside it (newsbot-index.sqlite3.before-reindex-TIME). Revisions, first crawl times "
        "and articles never written are not in the files: they are not rebuilt. Run it while "
        "no crawl writes to DIR. Exit 0: every file indexed; 1: some file could not be "
        "(listed); 2: no such directory.",
    )
    reindex.add_argument("directory", metavar="DIR", help="an output directory")
    reindex.add_argument(
        "--template",
        default=os.environ.get("NEWSBOT_TEMPLATE") or None,
        help="the Jinja2 template the files were written with "
        "(default: $NEWSBOT_TEMPLATE, else the packaged one)",
    )
    reindex.set_defaults(func=_cmd_reindex)

    re_parse = commands.add_parser(
        "reparse",
        help="extract archived pages again and rewrite the Markdown files (no network)",
        description="Re-run extraction over WARC archives written with NEWSBOT_ARCHIVE=1, or "
        "by other tools (Common Crawl, wget --warc-file, warcprox), and rewrite the Markdown "
        "files and the index; no request is made. Records without a Naver article "
        "(other hosts, robots.txt, revisits, non-200 responses, listings) are skipped and "
        "counted.",
    )
    re_parse.add_argument("archives", nargs="+", help="WARC files, or directories holding them")
    _output_dir_option(re_parse, "the output directory to rewrite")
    re_parse.add_argument("--template", help="a Jinja2 template file instead of the packaged one")
    re_parse.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="processes to read with, the files split between them (default 1)",
    )
    re_parse.add_argument(
        "--start",
        metavar="YYYY-MM-DD",
        help="write only articles published on or after this day (Korea time)",
    )
    re_parse.add_argument(
        "--end",
        metavar="YYYY-MM-DD",
        help="write only articles published on or before this day (Korea time)",
    )
    re_parse.set_defaults(func=_cmd_reparse)
    return parser


def _output_dir_option(parser: argparse.ArgumentParser, what: str) -> None:
    """``--output DIR``: always an output directory (``-o FILE`` is always a file)."""
    parser.add_argument(
        "--output",
        metavar="DIR",
        help=f"{what} (default: NEWSBOT_OUTPUT_DIR, from -s, the environment or the "
        "settings; else output)",
    )


class _FileNotDirectory(argparse.Action):
    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        parser.error(
            "--output names an output directory (crawl, reparse); this command writes a "
            "file: -o FILE (- for standard output)"
        )


def _not_a_directory(parser: argparse.ArgumentParser) -> None:
    """``--output`` on a command that writes a file: refused, pointing to ``-o``."""
    parser.add_argument("--output", action=_FileNotDirectory, help=argparse.SUPPRESS)


def _settings_option(parser: argparse.ArgumentParser) -> None:
    """``-s NAME=VALUE``: a Scrapy or newsbot setting, as ``scrapy crawl`` takes it."""
    parser.add_argument(
        "-s",
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting (NEWSBOT_CONTACT=you@example.org, DOWNLOAD_DELAY=1, …); repeatable",
    )


def _select_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--start", metavar="DAY", help="published on or after (Korea time)")
    parser.add_argument("--end", metavar="DAY", help="published on or before (Korea time)")
    parser.add_argument(
        "--sections", metavar="LIST", help="by the front matter's sid: codes or names"
    )
    parser.add_argument("--press", metavar="LIST", help="by press (oids)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    if not (sys.argv[1:] if argv is None else argv):
        parser.print_help()  # ``newsbot`` alone
        return 0
    args = parser.parse_args(argv)
    try:
        # One precedence everywhere: the option, else the environment, else the settings
        # module, else the default (a crawl's and the doctor's through Scrapy's settings).
        if args.command not in ("crawl", "doctor"):
            from newsbot import config

            if "template" in args:
                args.template = config.value("NEWSBOT_TEMPLATE", args.template) or None
            if args.command == "reparse":
                args.output = str(config.value("NEWSBOT_OUTPUT_DIR", args.output))
        result: int = args.func(args)
    except ConfigError as exc:  # a setting from -s, the environment or the settings module
        return _fail(str(exc))
    return result


def entry() -> None:
    """The ``newsbot`` console command."""
    sys.exit(main())


if __name__ == "__main__":
    entry()
