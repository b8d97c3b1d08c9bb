"""What joining law versions into concepts costs the knot engine (docs/knots.md §9.2, "concepts").

Run: `.venv/bin/python benchmarks/concepts.py [--rows 1000000] [--repeats 3] [--seed S]`.

The synthetic deviations (`demo.synthetic`, planted knots that cite SoL 2001:453 among others) are
generated once; the concepts come from the shipped catalogue files (laws' replaced-by links and
`concordance.json`, through the pure `catalogue.concordance.concept_map`, no database). Timed,
as medians of `--repeats` runs: `DeviationTable.on_concepts` alone, and `find_knots` with and
without the concepts. Prints a table and, on its last line, one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics.knots import find_knots  # noqa: E402
from catalogue.concordance import concept_map  # noqa: E402
from catalogue.schema import read_catalogue  # noqa: E402
from catalogue.tagids import provision_tag_id  # noqa: E402
from demo.synthetic import DEFAULT_END, generate_table  # noqa: E402


def shipped_concepts() -> dict[str, str]:
    data = read_catalogue()
    successors = {law["sfs"]: law["replaced_by"] for law in data.laws if law.get("replaced_by")}
    continuations = [
        (
            provision_tag_id(line["old"]["law"], line["old"]["chapter"], line["old"]["section"]),
            provision_tag_id(*(line["new"][0][k] for k in ("law", "chapter", "section"))),
        )
        for line in data.concordance
    ]
    return concept_map(successors=successors, continuations=continuations)


def _median(run: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    table, _planted = generate_table(args.rows, seed=args.seed)
    concepts = shipped_concepts()
    today: date = DEFAULT_END
    bridge_s, bridged = _median(lambda: table.on_concepts(concepts), args.repeats)
    plain_s, plain = _median(lambda: find_knots(table, today=today), args.repeats)
    joined_s, joined = _median(
        lambda: find_knots(table, today=today, concepts=concepts), args.repeats
    )
    figures = {
        "rows": len(table),
        "tag_entries": int(len(table.indices)),
        "versioned_tags": sum(1 for tag in table.vocabulary if tag in concepts),
        "on_concepts_s": round(bridge_s, 3),
        "find_knots_s": round(plain_s, 3),
        "find_knots_with_concepts_s": round(joined_s, 3),
        "knots": len(plain),
        "knots_with_concepts": len(joined),
        "knots_naming_two_versions": sum(1 for k in joined if k.versions),
        "table_changed": bridged is not table,
    }
    width = max(map(len, figures))
    for name, value in figures.items():
        print(f"{name:<{width}}  {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
