"""Linear time on hostile record titles (issue 22): each family at 10k to 1M characters, read as CSL
rich text and as plain text (core/online/title_markup.py), and the time per character.

    .venv/bin/python bench/title_markup.py [--sizes 10000,100000,1000000]

The target: the time per character stays flat (within a factor of three from the smallest size to
the largest); the regular expressions this replaced took quadratic time on unclosed `<math>` and on
many `<`. Timings are the best of three runs.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mkdocs_factcheck.core.checks.online.title_markup import plain_text, rich_text  # noqa: E402

MATH = (
    "<mml:math"
    ' xmlns:mml="http://www.w3.org/1998/Math/MathML"><mml:mmultiscripts><mml:mi>Tb</mml:mi>'
    "<mml:mprescripts/><mml:none/><mml:mn>153</mml:mn></mml:mmultiscripts></mml:math> "
)
FAMILIES = {
    "unclosed <math>": "<mml:math>x ",
    "only <": "<",
    "unclosed quotes in tags": '<a "',
    "<! without >": "<!",
    "nested <i>": "<i>",
    "closed formulas": MATH,
}


def best(function, text: str) -> float:
    times = []
    for _ in range(3):
        start = time.perf_counter()
        function(text)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    sizes = [int(size) for size in parser.parse_args().sizes.split(",")]
    failed = False
    print(f"{'family':28}" + "".join(f"{size:>14,}" for size in sizes) + "   µs/char, first → last")
    for name, unit in FAMILIES.items():
        per_char = []
        for size in sizes:
            text = unit * max(1, size // len(unit))
            per_char.append((best(rich_text, text) + best(plain_text, text)) / len(text) * 1e6)
        flat = per_char[-1] <= 3 * per_char[0]
        failed |= not flat
        print(f"{name:28}" + "".join(f"{value:>14.3f}" for value in per_char) + ("" if flat else "   NOT LINEAR"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
