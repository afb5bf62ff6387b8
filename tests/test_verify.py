"""``python -m newsbot verify``: bytes as written, directories, the index, other templates.

Every file here is written by newsbot itself (``extract_article`` on a real fixture page,
then ``render_article`` or ``OutputStore.save``; or ``newsbot crawl`` from the fake Naver),
then changed the way editors, ``git`` (``core.autocrlf``) or copy tools change files.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import newsbot.output.verify
from newsbot.article import decode_html, extract_article
from newsbot.comments import Status
from newsbot.items import Article, ArticleComments
from newsbot.output.hashing import content_hash
from newsbot.output.markdown import load_yaml, split_markdown
from newsbot.output.paths import INDEX_NAME
from newsbot.output.store import OutputStore
from newsbot.output.verify import TemplateError, Verifier, verify_paths
from newsbot.render import render_article, yaml_scalar
from tests.conftest import ARTICLES, FROZEN_CRAWLED_AT, ROOT
from tests.e2e import files, newsbot_crawl, run_newsbot
from tests.fakenaver import FakeNaver
from tests.fakenaver.world import default_world

URL = "https://n.news.naver.com/mnews/article/082/0001252309"
OTHER = ("640_0000077240", "https://n.news.naver.com/mnews/article/640/0000077240")
DAY = Path("2024/01/22")  # the fixture's publication day (Korea time)
#: What the summary adds for files outside an output directory: only their body is checked.
LONE = "by body only: outside an output directory (no index holds the whole file's hash)"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "NEWSBOT_TEMPLATE"}
    return run_newsbot("verify", *args, env={**environ, **(env or {})}, timeout=60)


def article(name: str = "082_0001252309", url: str = URL, **changes: Any) -> Article:
    html = decode_html((ARTICLES / name / "body.html").read_bytes())
    item = extract_article(url, html, crawled_at=FROZEN_CRAWLED_AT)
    for key, value in changes.items():
        setattr(item, key, value)
    item.content_hash = content_hash(item.content)
    return item


def write(path: Path, item: Article, template: str | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render_article(item.to_dict(), template).encode("utf-8"))
    return path


def output_dir(root: Path, template: str | None = None) -> dict[str, Path]:
    """A real output directory: two articles saved by ``OutputStore``, with its index."""
    store = OutputStore(root, template=template)
    items = [article(), article(*OTHER)]
    try:
        for item in items:
            store.save(item)
    finally:
        store.index.close()
    return {item.id: store.path_for(item) for item in items}


def summary(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout.strip().splitlines()[-1]


# --- bytes as written --------------------------------------------------------------------


def test_untouched_file_is_ok(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", article())
    result = run(str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"1 ok, 0 failed; 1 {LONE}\n" and result.stderr == ""


def test_crlf_file_fails(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", article())
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    result = run(str(path))
    assert result.returncode == 1
    assert f"{path}: line endings changed (CRLF); otherwise intact" in result.stderr
    assert summary(result) == "0 ok, 1 failed"


def test_cr_only_file_fails(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", article())
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r"))
    result = run(str(path))
    assert result.returncode == 1
    assert "line endings changed (CR)" in result.stderr
    assert summary(result) == "0 ok, 1 failed"


def test_cr_paragraph_breaks_in_the_body_fail(tmp_path: Path) -> None:
    item = article()
    path = write(tmp_path / "a.md", item)
    data = path.read_bytes()
    body = item.content.encode("utf-8")
    assert data.count(body) == 1 and body.count(b"\n\n") == 7
    path.write_bytes(data.replace(body, body.replace(b"\n\n", b"\r\r")))
    result = run(str(path))
    assert result.returncode == 1
    assert "line endings changed (14 CR among LF, first on line" in result.stderr
    assert summary(result) == "0 ok, 1 failed"


def test_body_is_exactly_the_text_between_the_separators() -> None:
    item = article()
    text = render_article(item.to_dict())
    assert split_markdown(text).body == item.content
    verifier = Verifier()
    assert verifier.check_text(text).problem is None
    assert verifier.check_text(text).body_hash == item.content_hash
    # a trailing space, or one more line break, at either end of the body
    for changed in (
        text.replace(item.content, item.content + " "),
        text.replace(item.content, "\n" + item.content),
        text.replace(item.content + "\n\n---", item.content + "\n\n\n---"),
    ):
        assert "does not match body sha256" in (verifier.check_text(changed).problem or "")


def test_other_byte_changes_fail(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", article())
    data = path.read_bytes()
    bom = tmp_path / "bom.md"
    bom.write_bytes(b"\xef\xbb\xbf" + data)
    latin = tmp_path / "latin.md"
    latin.write_bytes(data.replace("전기".encode(), "\xe9".encode("latin-1"), 1))
    result = run(str(path), str(bom), str(latin))
    assert result.returncode == 1
    assert f"{bom}: starts with a byte-order mark; otherwise intact" in result.stderr
    assert f"{latin}: not UTF-8: invalid continuation byte at byte" in result.stderr
    assert summary(result) == f"1 ok, 2 failed; 1 {LONE}"


# --- directories and the index -----------------------------------------------------------


def test_directory_is_searched_recursively(tmp_path: Path) -> None:
    out = tmp_path / "out"
    paths = output_dir(out)
    for skipped in ("reports/crawl.md", "archive/old.md", f"{DAY}/.newsbot-tmp-host-1-x.md"):
        (out / skipped).parent.mkdir(parents=True, exist_ok=True)
        (out / skipped).write_text("not an article\n", encoding="utf-8")
    (out / "notes.txt").write_text("not markdown\n", encoding="utf-8")
    result = run(str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "2 ok, 0 failed\n" and result.stderr == ""
    # a folder below the output directory (no index there), and a file next to it
    extra = write(tmp_path / "single.md", article())
    result = run(str(out / "2024"), str(extra))
    assert result.returncode == 0, result.stderr
    # 2024/…/082_0001252309.md, checked against the index above it, and single.md
    assert result.stdout == f"2 ok, 0 failed; 1 {LONE}\n"
    assert sorted(p.parts[-4] for p in paths.values()) == ["2024", "2025"]


def test_directory_reports_every_bad_file(tmp_path: Path) -> None:
    folder = tmp_path / "files"
    write(folder / "a" / "good.md", article())
    crlf = write(folder / "a" / "b" / "crlf.md", article())
    crlf.write_bytes(crlf.read_bytes().replace(b"\n", b"\r\n"))
    result = run(str(folder))
    assert result.returncode == 1
    assert result.stderr == f"{crlf}: line endings changed (CRLF); otherwise intact\n"
    assert result.stdout == f"1 ok, 1 failed; 1 {LONE}\n"


def test_file_unknown_to_the_index_is_reported(tmp_path: Path) -> None:
    out = tmp_path / "out"
    output_dir(out)
    stray = write(out / DAY / "082_0001252310.md", article(title="A copy"))
    result = run(str(out))
    assert result.returncode == 1
    assert result.stderr == f"{stray}: not in the index\n"
    assert summary(result) == "2 ok, 1 failed"


def test_file_missing_from_the_output_directory_is_reported(tmp_path: Path) -> None:
    out = tmp_path / "out"
    paths = output_dir(out)
    gone = paths["082_0001252309"]
    gone.unlink()
    result = run(str(out))
    assert result.returncode == 1
    assert result.stderr == f"{gone}: missing: the index lists it\n"
    assert summary(result) == "1 ok, 1 failed"


def test_file_whose_hash_differs_from_the_index_is_reported(tmp_path: Path) -> None:
    out = tmp_path / "out"
    paths = output_dir(out)
    path = paths["082_0001252309"]
    original = article()
    changed = article(content=original.content.replace("전기", "가스", 1))
    write(path, changed)  # consistent in itself, but not what the index recorded
    result = run(str(out))
    assert result.returncode == 1
    assert result.stderr == f"{path}: the index has content_hash {original.content_hash}\n"
    assert summary(result) == "1 ok, 1 failed"


def test_a_front_matter_edited_by_hand_is_reported(tmp_path: Path) -> None:
    out = tmp_path / "out"
    md = output_dir(out)["082_0001252309"]
    md.write_bytes(md.read_bytes().replace(b'\ntitle: "', b'\ntitle: "Edited ', 1))
    result = run(str(out))
    assert result.returncode == 1
    assert result.stderr == (
        f"{md}: front matter changed since newsbot wrote it: title differs from the index\n"
    )


@pytest.mark.parametrize("edited", [False, True])
def test_a_comment_count_written_later_moves_the_hash_only_of_the_file_written(
    tmp_path: Path, edited: bool
) -> None:
    out = tmp_path / "out"
    md = output_dir(out)["082_0001252309"]
    if edited:
        md.write_bytes(md.read_bytes().replace(b'\ntitle: "', b'\ntitle: "Edited ', 1))
    store = OutputStore(out)
    try:
        comments = ArticleComments("082_0001252309", "count", Status.COLLECTED, count=5)
        store.save_comments(comments, FROZEN_CRAWLED_AT)
    finally:
        store.index.close()
    assert split_markdown(md.read_text(encoding="utf-8")).front_matter["comment_count"] == 5
    result = run(str(out))
    if edited:  # the edit is not taken for newsbot's own because a line was written after it
        assert result.stderr == (
            f"{md}: front matter changed since newsbot wrote it: title differs from the index\n"
        )
    else:
        assert result.returncode == 0 and result.stdout == "2 ok, 0 failed\n", result.stderr


def test_hostile_names_are_reported_on_one_line(tmp_path: Path) -> None:
    out = tmp_path / "out"
    output_dir(out)
    db = sqlite3.connect(out / INDEX_NAME)
    with db:
        db.execute(
            "INSERT INTO articles (id, status, path, content_hash, first_crawled_at, last_crawled_at)"
            " VALUES ('x', 'written', ?, 'h', 't', 't')",
            ("../../../etc/passwd\n\x1b[2J.md",),
        )
    db.close()
    stray = write(out / "bad\nname.md", article())
    result = run(str(out))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{out}/bad\\nname.md: not in the index",
        f"{out}/../../../etc/passwd\\n\\x1b[2J.md: missing: the index lists it",
    ]
    assert stray.exists() and summary(result) == "2 ok, 2 failed"


def test_index_is_opened_read_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    output_dir(out)
    before = (out / INDEX_NAME).read_bytes()
    uris: list[str] = []
    connect = sqlite3.connect

    def spy(database: str, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        uris.append(database)
        assert kwargs.get("uri") is True
        return connect(database, *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", spy)
    results = list(verify_paths([out], Verifier()))
    assert [(verdict.problem, verdict.partly) for verdict in results] == [(None, None)] * 2
    assert len(uris) == 1 and uris[0].startswith("file:") and uris[0].endswith("?mode=ro")
    assert (out / INDEX_NAME).read_bytes() == before


def test_no_such_path_is_bad_usage(tmp_path: Path) -> None:
    good = write(tmp_path / "a.md", article())
    result = run(str(good), str(tmp_path / "nope.md"))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"newsbot: error: no such file or directory: {tmp_path / 'nope.md'}"
    ]


# --- front matter: libyaml, and the pure loader where libyaml refuses ---------------------


def test_front_matter_is_read_with_libyaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loaders: list[Any] = []
    load = yaml.load

    def spy(stream: Any, Loader: Any) -> Any:
        loaders.append(Loader)
        return load(stream, Loader=Loader)

    monkeypatch.setattr(yaml, "load", spy)
    path = write(tmp_path / "a.md", article())
    assert Verifier().check_file(path).problem is None
    assert loaders == [yaml.CSafeLoader]


def test_surrogate_escape_in_front_matter_falls_back_to_the_pure_loader(tmp_path: Path) -> None:
    # newsbot's YAML writer escapes a lone surrogate; libyaml refuses that escape
    assert yaml_scalar("부제 \ud800 끝") == '"부제 \\ud800 끝"'
    with pytest.raises(yaml.YAMLError, match="invalid Unicode character escape"):
        yaml.load('subtitle: "부제 \\ud800 끝"', Loader=yaml.CSafeLoader)
    path = write(tmp_path / "a.md", article(subtitle="부제 \ud800 끝"))
    text = path.read_bytes().decode("utf-8")
    assert 'subtitle: "부제 \\ud800 끝"\n' in text
    assert split_markdown(text).front_matter["subtitle"] == "부제 \ud800 끝"
    assert load_yaml('t: "\\ud800"') == {"t": "\ud800"}
    result = run(str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"1 ok, 0 failed; 1 {LONE}\n"


def test_broken_front_matter_fails_in_one_line(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", article())
    path.write_bytes(path.read_bytes().replace(b'title: "', b'title: "\\q', 1))
    result = run(str(path))
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"{path}: unreadable: ")


# --- other templates ---------------------------------------------------------------------

PACKAGED = (ROOT / "newsbot" / "templates" / "article.md.j2").read_text(encoding="utf-8")
# Another heading and footer: the packaged template's separators are not there.
CUSTOM = PACKAGED.replace("# {{ item.title }}", "## {{ item.title }}\n\n> {{ item.subtitle }}")
CUSTOM = CUSTOM.replace("\n\n---\n\n*Crawled at:", "\n\n* * *\n\nCrawled at:")
CUSTOM = CUSTOM.replace("*\n*Source:", "\nSource:").replace("}})*\n", "}})\n")


def custom_template(tmp_path: Path, source: str = CUSTOM, name: str = "custom.md.j2") -> str:
    path = tmp_path / "templates" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source, encoding="utf-8")
    return str(path)


def test_custom_template_files_verify(tmp_path: Path) -> None:
    template = custom_template(tmp_path)
    out = tmp_path / "out"
    paths = output_dir(out, template=template)
    text = paths["082_0001252309"].read_text(encoding="utf-8")
    assert "\n* * *\n\nCrawled at: " in text and "*Crawled at:" not in text
    result = run("--template", template, str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "2 ok, 0 failed\n"
    # NEWSBOT_TEMPLATE is the default
    result = run(str(out), env={"NEWSBOT_TEMPLATE": template})
    assert result.returncode == 0, result.stderr
    # read with the packaged template's separators, the body is not found
    result = run(str(out))
    assert result.returncode == 1
    assert "body separators not found" in result.stderr


def test_custom_template_files_changed_fail(tmp_path: Path) -> None:
    template = custom_template(tmp_path)
    item = article()
    crlf = write(tmp_path / "crlf.md", item, template)
    crlf.write_bytes(crlf.read_bytes().replace(b"\n", b"\r\n"))
    body = write(tmp_path / "body.md", item, template)
    text = item.content.encode("utf-8")
    body.write_bytes(body.read_bytes().replace(text, text.replace(b"\n\n", b"\n\n\n", 1)))
    heading = write(tmp_path / "heading.md", item, template)
    heading.write_bytes(heading.read_bytes().replace(b"\n## ", b"\n# ", 1))
    footer = write(tmp_path / "footer.md", item, template)
    footer.write_bytes(footer.read_bytes().replace(b"\nSource: ", b"\nSource:  "))
    verifier = Verifier(template)
    assert verifier.check_file(crlf).problem == "line endings changed (CRLF); otherwise intact"
    assert "does not match body sha256" in str(verifier.check_file(body).problem)
    problem = str(verifier.check_file(heading).problem)
    assert problem.startswith("unreadable: line 23 is not what ") and "writes" in problem
    assert "(after the body)" in str(verifier.check_file(footer).problem)
    result = run("--template", template, str(crlf), str(body), str(heading), str(footer))
    assert result.returncode == 1 and summary(result) == "0 ok, 4 failed"


def test_copy_of_the_packaged_template_uses_its_separators(tmp_path: Path) -> None:
    template = custom_template(tmp_path, PACKAGED.replace("\n", "\r\n"), "copy.md.j2")
    path = write(tmp_path / "a.md", article())
    result = run("--template", template, str(path))
    assert result.returncode == 0, result.stderr
    assert Verifier(template).template is None


UNUSABLE = [
    ("{{ item.content | upper }}", "exactly once, unchanged"),
    ("{{ item.content }}\n\n{{ item.content }}", "exactly once, unchanged"),
    ("{{ item.content | wordcount }} words\n\n{{ item.content }}", "depends on the text"),
    ("{{ item.nonexistent }}", "does not render an article"),
    ("{% if %}", "does not render an article"),
    ("{{ item.content }}\n", "do not start with YAML front matter"),
    ("---\ntitle: {{ item.title | yaml }}\n---\n\n{{ item.content }}\n", "does not hold content_hash"),
    (
        "---\ncontent_hash: {{ item.content_hash | yaml }}\n---\n\n# {{ item.title }}\n\n"
        "{{ item.content }}\n",
        "not in its front matter",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("source", "why"), UNUSABLE)
def test_template_where_the_body_cannot_be_found_is_refused(
    tmp_path: Path, source: str, why: str
) -> None:
    template = custom_template(tmp_path, source, f"t{abs(hash(source))}.md.j2")
    path = write(tmp_path / "a.md", article())
    with pytest.raises(TemplateError, match=why):
        Verifier(template)
    result = run("--template", template, str(path))
    assert result.returncode == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"newsbot: error: template {template}: cannot tell where the body is")
    assert why in line


def test_missing_template_is_bad_usage(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", article())
    for args, env in (
        (["--template", str(tmp_path / "none.j2")], None),
        ([], {"NEWSBOT_TEMPLATE": str(tmp_path / "none.j2")}),
    ):
        result = run(*args, str(path), env=env)
        assert result.returncode == 2
        assert result.stderr == f"newsbot: error: template {tmp_path / 'none.j2'}: no such file\n"


def test_verify_text_keeps_its_contract() -> None:
    text = render_article(article().to_dict())
    assert newsbot.output.verify.verify_text(text) is None
    assert newsbot.output.verify.verify_text(text.replace("\n", "\r\n")) is not None


# --- whole files: front matter and comments, in a corpus crawled from the fake ----------


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeNaver]:
    with FakeNaver(default_world()).start() as server:
        yield server


@pytest.fixture(scope="module")
def crawled(fake: FakeNaver, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One corpus with comments, crawled once by ``newsbot crawl``; tests change copies."""
    out = tmp_path_factory.mktemp("crawled") / "out"
    result = newsbot_crawl(fake, out)
    assert result.returncode == 0, result.stderr[-3000:]
    return out


@pytest.fixture
def corpus(crawled: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    shutil.copytree(crawled, out)
    return out


def comments_of(md: Path) -> Path:
    return md.with_name(md.stem + ".comments.jsonl")


def longest_comments(corpus: Path) -> Path:
    return max(corpus.rglob("*.comments.jsonl"), key=lambda p: p.stat().st_size)


@pytest.mark.e2e
def test_an_untouched_crawled_corpus_passes_whole(corpus: Path) -> None:
    articles = files(corpus)
    assert all(comments_of(md).is_file() for md in articles.values())  # comments=all
    result = run(str(corpus))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{2 * len(articles)} ok, 0 failed\n" and result.stderr == ""


@pytest.mark.e2e
def test_a_title_edited_by_hand_fails_naming_the_file(corpus: Path, tmp_path: Path) -> None:
    md = sorted(files(corpus).values())[0]
    text = md.read_text(encoding="utf-8")
    title = split_markdown(text).front_matter["title"]
    md.write_text(
        text.replace(f"title: {yaml_scalar(title)}", f"title: {yaml_scalar(title + '!')}", 1),
        encoding="utf-8",
    )
    assert Verifier().check_file(md).problem is None  # its body still hashes to content_hash
    result = run(str(corpus))
    assert result.returncode == 1
    assert (
        result.stderr
        == f"{md}: front matter changed since newsbot wrote it: title differs from the index\n"
    )
    assert summary(result) == f"{2 * len(files(corpus)) - 1} ok, 1 failed"
    # named alone, a file of an output directory is checked against its index too
    alone = run(str(md))
    assert alone.returncode == 1 and alone.stdout == "0 ok, 1 failed\n"
    # a copy outside any output directory: only its body can be checked, and it says so
    copy = tmp_path / "copy.md"
    shutil.copy(md, copy)
    result = run(str(copy))
    assert result.returncode == 0 and result.stdout == f"1 ok, 0 failed; 1 {LONE}\n"


@pytest.mark.e2e
def test_a_comments_line_edited_or_cut_short_fails_naming_the_file(corpus: Path) -> None:
    path = longest_comments(corpus)
    lines = path.read_bytes().splitlines(keepends=True)
    record = json.loads(lines[1])
    record["likes"] += 1000  # still a valid record: only the hash tells
    edited = b"".join(
        [lines[0], json.dumps(record, ensure_ascii=False).encode() + b"\n", *lines[2:]]
    )
    path.write_bytes(edited)
    result = run(str(corpus))
    assert result.returncode == 1
    assert (
        result.stderr
        == f"{path}: changed since newsbot wrote it (its SHA-256 is not the index's)\n"
    )
    path.write_bytes(b"".join(lines)[:-10])  # cut short, as by a full disk
    result = run(str(corpus))
    assert result.stderr == (
        f"{path}: changed since newsbot wrote it (its SHA-256 is not the index's): "
        "1 line(s) are not comment records; its last line is cut short\n"
    )
    path.unlink()
    result = run(str(corpus))
    assert result.stderr == f"{path}: missing: the index lists it\n"
    assert summary(result) == f"{2 * len(files(corpus)) - 1} ok, 1 failed"


@pytest.mark.e2e
def test_rows_written_before_whole_file_hashes_are_checked_by_body_and_said_so(
    corpus: Path,
) -> None:
    with contextlib.closing(sqlite3.connect(corpus / INDEX_NAME)) as db, db:
        db.execute("UPDATE articles SET file_sha256 = NULL, comments_sha256 = NULL")
    n = len(files(corpus))
    result = run(str(corpus))
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        f"{2 * n} ok, 0 failed; {n} with front matter not covered: written before the index "
        f"kept whole-file hashes; {n} comments file(s) checked line by line only: no index "
        "holds their hash\n"
    )


@pytest.mark.e2e
def test_a_crawl_writes_again_a_file_whose_front_matter_was_edited(
    fake: FakeNaver, corpus: Path
) -> None:
    md = sorted(files(corpus).values())[0]
    original = md.read_bytes()
    md.write_bytes(original.replace(b"\npublisher: ", b'\npublisher: "x"\n_was: ', 1))
    assert run(str(corpus)).returncode == 1
    result = newsbot_crawl(fake, corpus, "--refresh")
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"{md}: the file was damaged or edited (it is not the file written" in result.stderr
    assert b"_was: " not in md.read_bytes()
    assert run(str(corpus)).returncode == 0
