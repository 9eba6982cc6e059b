#!/usr/bin/env python3
"""Fails when a relative link in the repository's Markdown points at nothing.

A fresh clone holds only the repository, so every `[text](path)` and `[text](path#anchor)`
in README.md, BENCHMARKS.md, docs/ and the test-data READMEs must name a file or folder
inside it; for links into another Markdown file, the `#anchor` must be one of its headings
(GitHub's slugs) or an explicit `<a id="…">`."""
import os
import re
import sys

LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$", re.M)
ANCHOR = re.compile(r"<a\s+(?:id|name)=\"([^\"]+)\"")


def slug(heading):
    heading = re.sub(r"[`*_]|<[^>]+>", "", heading).strip().lower()
    heading = re.sub(r"[^\w\- ]", "", heading)
    return heading.replace(" ", "-")


def anchors(path):
    text = open(path, encoding="utf-8").read()
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    seen, out = {}, set(ANCHOR.findall(text))
    for heading in HEADING.findall(text):
        base = slug(heading)
        n = seen.get(base, 0)
        out.add(base if n == 0 else f"{base}-{n}")
        seen[base] = n + 1
    return out


def markdown_files(root):
    for top in ["README.md", "BENCHMARKS.md"]:
        yield os.path.join(root, top)
    for folder in ["docs", "tests", "examples", "bench", "crates"]:
        for dirpath, dirs, files in os.walk(os.path.join(root, folder)):
            dirs[:] = [d for d in dirs if d not in ("target", "node_modules")]
            for name in files:
                if name.endswith(".md"):
                    yield os.path.join(dirpath, name)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    broken = []
    for md in markdown_files(root):
        text = re.sub(r"```.*?```", "", open(md, encoding="utf-8").read(), flags=re.S)
        for target in LINK.findall(text):
            if re.match(r"^[a-z]+:", target):
                continue  # http:, https:, mailto:
            path, _, anchor = target.partition("#")
            resolved = os.path.normpath(os.path.join(os.path.dirname(md), path)) if path else md
            if not os.path.exists(resolved):
                broken.append(f"{md}: link to {target}: no such file")
            elif anchor and resolved.endswith(".md") and anchor not in anchors(resolved):
                broken.append(f"{md}: link to {target}: no such heading")
    for line in broken:
        print(line, file=sys.stderr)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
