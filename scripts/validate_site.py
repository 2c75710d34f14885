#!/usr/bin/env python3
"""Validates a built chapar site with tools chapar did not write.

    python3 scripts/validate_site.py public/ --vnu path/to/vnu.jar

- every HTML page: the W3C Nu HTML checker (vnu.jar, on Java) reports no error;
- every feed (rss.xml, atom.xml): feedparser reads it with bozo == 0, with as many entries as
  the feed holds items and, for the site and desk feeds, as many as data/articles.json says,
  and every entry title is an article title, Persian letters intact;
- every XML file: xmllint finds it well formed;
- JSON-LD blocks and data/articles.json parse as JSON, data/metrics.csv as CSV.

Exits 1 listing every problem found."""

import argparse
import csv
import json
import pathlib
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import feedparser

FEED_SIZE = 50
PERSIAN = re.compile("[\u0600-\u06ff]")
LD_JSON = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("public", type=pathlib.Path)
    parser.add_argument("--vnu", required=True, help="path to vnu.jar")
    args = parser.parse_args()
    public = args.public
    problems = []

    html = sorted(public.rglob("*.html"))
    xml = sorted(public.rglob("*.xml"))
    feeds = [p for p in xml if p.name in ("rss.xml", "atom.xml")]

    # 1. HTML: the Nu checker, all pages in one run.
    result = subprocess.run(
        ["java", "-jar", args.vnu, "--errors-only", "--format", "gnu", *map(str, html)],
        capture_output=True, text=True,
    )
    if result.returncode != 0:
        problems += [f"vnu: {line}" for line in (result.stderr + result.stdout).splitlines() if line.strip()]

    # 2. XML well-formedness.
    result = subprocess.run(["xmllint", "--noout", *map(str, xml)], capture_output=True, text=True)
    if result.returncode != 0:
        problems += [f"xmllint: {line}" for line in result.stderr.splitlines()]

    # 3. Data files.
    data = json.loads((public / "data" / "articles.json").read_text(encoding="utf-8"))
    articles = data["articles"]
    titles = {a["title"] for a in articles}
    with (public / "data" / "metrics.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    expected_rows = sum(len(a["metrics"]) for a in articles)
    if len(rows) != expected_rows:
        problems.append(f"metrics.csv: {len(rows)} rows, articles.json has {expected_rows} metrics")

    # 4. Feeds.
    by_desk = {}
    for a in articles:
        by_desk[a["desk"]["key"]] = by_desk.get(a["desk"]["key"], 0) + 1
    for feed in feeds:
        rel = feed.relative_to(public).as_posix()
        parsed = feedparser.parse(feed.read_bytes())
        if parsed.bozo:
            problems.append(f"{rel}: feedparser: {parsed.bozo_exception}")
            continue
        root = ET.parse(feed).getroot()
        items = root.findall("./channel/item") or root.findall("{http://www.w3.org/2005/Atom}entry")
        expected = len(items)
        if rel in ("rss.xml", "atom.xml"):
            expected = min(FEED_SIZE, len(articles))
        elif rel.startswith("desk/"):
            expected = min(FEED_SIZE, by_desk.get(rel.split("/")[1], 0))
        if len(parsed.entries) != expected or len(items) != expected:
            problems.append(f"{rel}: {len(parsed.entries)} entries read, {len(items)} in the file, {expected} expected")
        for entry in parsed.entries:
            if entry.title not in titles or not PERSIAN.search(entry.title):
                problems.append(f"{rel}: entry title {entry.title!r} is not an article title")
        if parsed.feed.get("language", parsed.feed.get("lang")) not in ("fa", None):
            problems.append(f"{rel}: language is {parsed.feed.get('language')}")

    # 5. JSON-LD.
    ld_blocks = 0
    for page in html:
        for block in LD_JSON.findall(page.read_text(encoding="utf-8")):
            ld_blocks += 1
            try:
                value = json.loads(block)
                if value.get("@type") != "NewsArticle" or not PERSIAN.search(value.get("headline", "")):
                    problems.append(f"{page.relative_to(public)}: JSON-LD is not a Persian NewsArticle")
            except json.JSONDecodeError as e:
                problems.append(f"{page.relative_to(public)}: JSON-LD does not parse: {e}")
    if ld_blocks != len(articles):
        problems.append(f"{ld_blocks} JSON-LD blocks for {len(articles)} articles")

    for p in problems:
        print(p)
    print(f"validated {len(html)} HTML pages, {len(xml)} XML files ({len(feeds)} feeds), "
          f"{ld_blocks} JSON-LD blocks, {len(articles)} articles, {len(rows)} metrics: "
          f"{len(problems)} problem(s)")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
