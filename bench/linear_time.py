"""Linear time on hostile Markdown (issue 15): each adversarial family at 1k to 1M characters, converted
with Python-Markdown alone and with the factcheck extension, and the ratio of the two.

    .venv/bin/python bench/linear_time.py            # writes its section of bench/RESULTS.md
    .venv/bin/python bench/linear_time.py --sizes 1000,10000 --no-write

The target: the extension costs at most twice Python-Markdown's own time on the same input, at every
size (Python-Markdown's own growth, e.g. its quadratic `"[" * n`, is not ours to fix). Timings are the
best of a few runs (one run at 1M characters), in this process, after a warm-up.
"""

from __future__ import annotations

import argparse
import gc
import platform
import random
import re
import sys
import tempfile
import time
import xml.etree.ElementTree as etree
from collections.abc import Callable
from pathlib import Path

import markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import report  # noqa: E402 - bench/ is not a package

from mkdocs_factcheck.markdown.extension import FactcheckExtension  # noqa: E402

BIB = (
    "@article{a, author = {Alpha, Ann}, title = {First}, journal = {J}, year = {2000}}\n"
    "@article{b, author = {Beta, Bob}, title = {Second}, journal = {J}, year = {2001}}\n"
)
START, END = "<!-- linear-time -->", "<!-- /linear-time -->"  # kept when bench/run.py rewrites the file


def repeat(unit: str, size: int, head: str = "") -> str:
    return head + unit * max(1, (size - len(head)) // len(unit))


def random_page(size: int) -> str:
    """Paragraphs mixing every form with code, raw HTML, escapes, autolinks and unicode (seeded)."""
    rng = random.Random(size)
    pieces = [
        "Text with [@a] and [see @b, pp. 3-5; -@a].",
        "As @a [p. 33; @b] shows, `[@a]` is code.",
        '<span title="[@a]">raw</span> and <https://x.org/@a>.',
        '[A claim]{.claim verdict=supported note="*n*"} [@a].',
        "Escapes \\[@a\\] and \\@b and jane@example.org, ünïcödé — “quotes”.",
        "*Emphasis [@a, p. **3**]* and [link @b](https://e.org).",
        "\n\n::: {.claim verdict=supported}\nA block claim [@b].\n:::\n\n",
        "\n\n- item [@a]\n- item @b\n\n",
    ]
    out, length = [], 0
    while length < size:
        piece = rng.choice(pieces) + (" " if rng.random() < 0.8 else "\n\n")
        out.append(piece)
        length += len(piece)
    return "".join(out)


FAMILIES: dict[str, Callable[[int], str]] = {
    "unclosed `[` then `@a ` × n": lambda size: repeat("@a ", size, head="["),
    "unclosed `::: {.claim}` blocks": lambda size: repeat("::: {.claim}\nText [@a].\n\n", size),
    "many claims in one paragraph": lambda size: repeat("[Claim]{.claim verdict=supported} [@a]. ", size),
    "many citations in one paragraph": lambda size: repeat("Text [see @a, p. 3] and @b; ", size),
    "many unclosed `[@a ` in one paragraph": lambda size: repeat("[@a ", size),
    "random pages": random_page,
}
# Python-Markdown alone is quadratic here (each `[` is searched to the end by its link patterns): the
# family is measured only where that stays in seconds.
MAX_SIZE = {"many unclosed `[@a ` in one paragraph": 10_000}


class LinkEachKey(InlineProcessor):
    """The least a citation extension can do through Python-Markdown's inline patterns: make each `@a`
    or `@b` one bare link, with no label, number, tooltip, bibliography or brackets."""

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[etree.Element, int, int]:  # type: ignore[override]  # noqa: N802
        link = etree.Element("a", {"href": "#ref-" + m.group(1)})
        link.text = m.group(1)
        return link, m.start(0), m.end(0)


class LinkEachKeyInTree(Treeprocessor):
    """The same least work done after the inline pass, in one walk of the finished tree: it splits each
    text around the keys, so it pays only for the elements it adds."""

    KEY = re.compile(r"@([ab])\b")

    def run(self, root: etree.Element) -> None:
        for element in list(root.iter()):
            if element.tag in ("code", "pre") or not element.text or isinstance(element.text, AtomicString):
                continue
            parts = self.KEY.split(element.text)
            element.text = parts[0]
            links = []
            for key, after in zip(parts[1::2], parts[2::2], strict=True):
                link = etree.Element("a", {"href": "#ref-" + key})
                link.text, link.tail = key, after
                links.append(link)
            element[0:0] = links


class Floor(Extension):
    """A lower bound for any extension that turns citations into links (see LinkEachKey)."""

    def __init__(self, in_tree: bool) -> None:
        super().__init__()
        self.in_tree = in_tree

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
        if self.in_tree:
            md.treeprocessors.register(LinkEachKeyInTree(md), "floor", 15)
        else:
            md.inlinePatterns.register(LinkEachKey(r"@([ab])\b", md), "floor", 175)


def converter(bib: Path, side: str) -> Callable[[str], str]:
    """One Markdown instance reused, as MkDocs does for a site's pages (the bibliography loads once).
    `side` is "plain", "ours", or one of the floors, "inline floor" and "tree floor"."""
    extensions: list = ["attr_list"]
    if side == "ours":
        extensions.append(FactcheckExtension(bibliography=[str(bib)], citation_needed=False))
    elif side != "plain":
        extensions.append(Floor(in_tree=side == "tree floor"))
    md = markdown.Markdown(extensions=extensions)

    def convert(text: str) -> str:
        md.reset()
        return md.convert(text)

    return convert


class FullCollections:
    """Time spent in Python's full (generation 2) garbage collections: each walks every live object, so
    it grows with the page's element tree, whoever made the elements."""

    def __init__(self) -> None:
        self.total = 0.0
        self._start = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if info["generation"] == 2:
            if phase == "start":
                self._start = time.perf_counter()
            else:
                self.total += time.perf_counter() - self._start


def best_time(convert: Callable[[str], str], text: str, runs: int) -> tuple[float, float]:
    """The best time of `runs` conversions, and the full collections' share of that run."""
    best, collecting = float("inf"), 0.0
    for _ in range(runs):
        collections = FullCollections()
        gc.callbacks.append(collections)
        try:
            start = time.perf_counter()
            convert(text)
            elapsed = time.perf_counter() - start
        finally:
            gc.callbacks.remove(collections)
        if elapsed < best:
            best, collecting = elapsed, collections.total
    return best, collecting


SIDES = ("plain", "inline floor", "tree floor", "ours")
# Python-Markdown copies the rest of a paragraph after each inline match, so the least inline pattern is
# quadratic in the citations of a paragraph: at 1M characters it would take minutes.
INLINE_FLOOR_MAX_SIZE = 100_000
Row = tuple[str, int, dict[str, float], float]  # family, size, seconds per side, full collections (ours)


def measure(sizes: list[int], only: str = "") -> list[Row]:
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        bib = Path(folder) / "refs.bib"
        bib.write_text(BIB, encoding="utf-8")
        converters = {side: converter(bib, side) for side in SIDES}
        converters["ours"]("warm up [@a]")
        for name, make in FAMILIES.items():
            if only and only not in name:
                continue
            for size in sizes:
                if size > MAX_SIZE.get(name, size):
                    continue
                text = make(size)
                runs = 1 if size >= 1_000_000 else 3
                seconds, collecting = {}, 0.0
                for side in SIDES:
                    if side == "inline floor" and size > INLINE_FLOOR_MAX_SIZE:
                        continue
                    seconds[side], collecting = best_time(converters[side], text, runs)
                rows.append((name, size, seconds, collecting))
                ratios = ", ".join(
                    f"{side} {seconds[side] / seconds['plain']:5.2f}" for side in SIDES[1:] if side in seconds
                )
                print(f"{name:45} {size:>9,} chars: plain {seconds['plain']:8.3f} s; ratios {ratios}", flush=True)
    return rows


def table(rows: list[Row]) -> str:
    lines = [
        START,
        "## Linear time on hostile Markdown (issue 15)",
        "",
        "Written by `.venv/bin/python bench/linear_time.py`: one Markdown conversion of each input, with",
        "Python-Markdown alone and with the extension (best of 3 runs, 1 at 1M characters). Target: a ratio",
        "of at most 2 at every size. One Markdown instance per side is reused, as MkDocs does. The family of",
        "unclosed `[@a ` is measured up to 10k characters only: Python-Markdown alone is quadratic on it.",
        "\"Full GC\" is the part of the extension's time spent in Python's full garbage collections, which",
        "walk every live object: it grows with the page's element tree and is most of what each family's",
        "1M figure has above ten times its 100k figure (the rest is memory traffic).",
        "",
        "Two floors show what the target asks of any citation extension, ours or another. Each is the least",
        "work one can do: turn each `@a`/`@b` into one bare link, with no number, tooltip, brackets or",
        "bibliography. The *least inline pattern* does it the way Python-Markdown offers for inline syntax",
        "(one `InlineProcessor`: each match re-scans and copies the rest of its paragraph); the *least tree",
        "pass* does it in one walk of the finished tree, paying only for the elements it adds; the inline",
        'pattern is not run at 1M characters, where its copies make it take minutes. "below',
        'floor" marks a size where both floors already exceed 2×: no extension that makes a link of each',
        "citation can meet the target there. Where the tree floor is under 2×, the target is reachable only by",
        "a design that finds citations after the inline pass, and only if everything else a citation needs",
        "fits in what is left.",
        "",
        "Where our time goes beyond the floors: the extension makes each citation a numbered link with a",
        "tooltip and an anchor, listed with a back-link in the page's bibliography. Measured at commit",
        "2fdc229 on 100k characters of `@a ` (33,333 citations, 1.5-1.7 s on a shared machine), per",
        "citation: numbering and rendering (`engine.resolve`, `render_citation`) 13-15 µs; the inline pass",
        "(finding it, its pending element) 13 µs; Python-Markdown's own serializer and unescape pass over",
        "the two elements 10 µs; its back-link 2.5 µs; cleanup, attr_list and postprocessors 6 µs; full",
        "collections about 9 µs: about 50 µs, against Python-Markdown's 1.3 µs for the same text.",
        "",
        "What changed (issue 15, branch `perf`): citations of a run and their prefixes, suffixes and the",
        "text between are laid out flat during the inline pass (Python-Markdown queued each citation, which",
        "had children, in a list it pops from the front: quadratic); bracketed spans with plain text and",
        "citations between are one inline match (Python-Markdown copies the paragraph's text after each",
        "match: quadratic in the claims of a paragraph); pieces and span texts that no pattern would change",
        "pass over the inline pass; placeholder cleanup is one walk of the page, pages without claims are",
        "walked once for them, parsed citations have no instance dictionaries. Left: citations or claims",
        "separated by emphasis, quotes, dashes or HTML are still one inline match each, so such a",
        "paragraph keeps Python-Markdown's copy per match (as its own emphasis does).",
        "",
        (
            f"Python {platform.python_version()}, Markdown {markdown.__version__}, {platform.machine()}, run"
            f" {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}."
        ),
        "",
        (
            "| Family | Characters | Python-Markdown | Least inline pattern | Least tree pass | With the extension |"
            " Full GC | Ratio | Target |"
        ),
        "|---|---:|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    for name, size, seconds, collecting in rows:
        base = seconds["plain"]
        floors = [
            f"{seconds[side]:.3f} s ({seconds[side] / base:.2f}×)" if side in seconds else "not run"
            for side in ("inline floor", "tree floor")
        ]
        ratio = seconds["ours"] / base
        floor = min(seconds.get("inline floor", seconds["tree floor"]), seconds["tree floor"])
        verdict = "met" if ratio <= 2 else "missed" if floor <= 2 * base else "below floor"
        lines.append(
            f"| {name} | {size:,} | {base:.3f} s | {floors[0]} | {floors[1]} | {seconds['ours']:.3f} s |"
            f" {collecting:.3f} s | {ratio:.2f}× | {verdict} |"
        )
    lines.append(END)
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000,1000000", help="comma-separated sizes in characters")
    parser.add_argument("--only", default="", help="only the families whose name holds this text")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()
    rows = measure([int(size) for size in args.sizes.split(",")], args.only)
    if not args.no_write:
        report.write_section(ROOT / "bench" / "RESULTS.md", START, END, table(rows))
        print("wrote bench/RESULTS.md")


if __name__ == "__main__":
    main()
