"""``newsbot sections``: the section and sub-section codes a crawl and an export take."""

from __future__ import annotations

import argparse

HELP = "the sections and sub-sections, by code and name"
DESCRIPTION = None


def add_options(parser: argparse.ArgumentParser) -> None:
    """None: the table is the whole answer."""


def run(args: argparse.Namespace) -> int:
    from newsbot.corpus.stats import pad
    from newsbot.pages.api import SPORTS_SECTIONS
    from newsbot.sections import ENGLISH, SECTIONS, SUBSECTION_NAMES, SUBSECTIONS

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
