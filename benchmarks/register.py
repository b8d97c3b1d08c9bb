"""Tagging throughput with a full statute register: the shipped catalogue plus 5,000 laws.

Run: `.venv/bin/python benchmarks/register.py [--laws N] [--texts N] [--profile]`.

A site that runs `import_sfs_register` holds every statute in force, each with its title, its
name forms and often an abbreviation, all in the tagger's lexicon. This builds such a register
deterministically (Riksdag-style titles: "Lag (2019:412) om tillsyn av …", "Förordning om …"),
passes each row through the import's own checks (catalogue.register.parse_row), compiles the
tagger's catalogue from it the way `tag_catalogue()` does, and times `suggest_tags` (and
`suggest_tags` + `find_pii`, as filing runs them) on one core over the tagging benchmark's
synthetic texts, the labelled dev set and texts that cite register laws. No database: the rows
are the dicts the database would hand the tagger. Results go in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

# catalogue.register reads Law's choices; no database is opened.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "knutpunkt.settings")
django.setup()

from benchmarks.tagging import best_time, synthetic_texts, tag_all, tags_only  # noqa: E402
from catalogue.register import _values, parse_row  # noqa: E402
from catalogue.schema import read_catalogue  # noqa: E402
from catalogue.tagging import TagCatalogue  # noqa: E402
from catalogue.tagids import provision_tag_id  # noqa: E402

SUBJECTS = [
    "tillsyn", "ersättning", "bidrag", "stöd", "avgifter", "register", "tillstånd", "skydd",
    "kontroll", "förmedling", "uppgiftsskyldighet", "samordning", "handläggning", "vård",
    "försäkring", "ansvar", "redovisning", "utbildning", "prövning", "mottagande",
]  # fmt: skip
OBJECTS = [
    "kommunala bolag", "vissa fordon", "fiskevatten", "elektroniska tjänster", "glasögon",
    "kemiska produkter", "hyresgäster", "statliga lån", "sjöfartsskydd", "växtskydd",
    "strålning", "bostadsrätter", "kollektivtrafik", "livsmedel", "spelautomater", "tobak",
    "djurskydd", "trossamfund", "ideella föreningar", "skogsvård", "jakt", "gruvor", "taxi",
    "vattenverksamhet", "byggnadsminnen", "arkiv", "läkemedel", "radioutrustning", "alkohol",
]  # fmt: skip
PLACES = ["i vissa fall", "inom hamnar", "vid gränsen", "på arbetsplatser", "i skolan", ""]


def synthetic_register(count: int, seed: int) -> list[dict[str, Any]]:
    """`count` Riksdag-style register documents with distinct titles, numbers and some
    abbreviations; the same for the same seed."""
    rng = random.Random(seed)
    documents, seen = [], set()
    while len(documents) < count:
        year, number = rng.randint(1960, 2025), rng.randint(1, 1999)
        sfs = f"{year}:{number}"
        kind = "Förordning" if rng.random() < 0.6 else "Lag"
        about = f"{rng.choice(SUBJECTS)} av {rng.choice(OBJECTS)} {rng.choice(PLACES)}".strip()
        title = f"{kind} ({sfs}) om {about} {len(documents)}"  # the counter keeps titles unique
        if sfs in seen:
            continue
        seen.add(sfs)
        document = {"beteckning": sfs, "titel": title}
        if rng.random() < 0.1:  # about one in ten has an abbreviation
            document["kortnamn"] = "L" + "".join(rng.choice("ABDFGHJKMNPRTVX") for _ in range(3))
        documents.append(document)
    return documents


def register_rows(documents: list[dict[str, Any]], shipped: set[str]) -> list[dict[str, Any]]:
    """The rows `import_sfs_register` would write, shaped as `tag_catalogue()` reads them."""
    rows = []
    for document in documents:
        row = parse_row(document)
        if row.sfs not in shipped:
            rows.append({"sfs": row.sfs, **_values(row), "has_chapters": False})
    return rows


def build(extra: list[dict[str, Any]]) -> tuple[TagCatalogue, float]:
    data = read_catalogue()
    started = time.perf_counter()
    catalogue = TagCatalogue.from_rows(
        laws=[*(law for law in data.laws if law.get("sfs")), *extra],
        agencies=data.agencies,
        terms={row["term"]: row for row in data.terms}.values(),
        provisions=[
            provision_tag_id(p["law"], p["chapter"], p["section"]) for p in data.provisions
        ],
    )
    return catalogue, (time.perf_counter() - started) * 1000


def corpus(count: int, seed: int, documents: list[dict[str, Any]]) -> list[tuple[str, date]]:
    """The tagging benchmark's texts, the dev set's, and one in ten citing a register law."""
    rng = random.Random(seed)
    texts = synthetic_texts(count, seed)
    dev = [
        (item["text"], date.fromisoformat(item["date"]))
        for item in map(json.loads, (ROOT / "tests/data/tagging-dev.jsonl").open(encoding="utf-8"))
    ]
    texts[: len(dev)] = dev
    for i in range(len(dev), count, 10):
        document = rng.choice(documents)
        title = document["titel"]
        cite = rng.choice([title, title.replace(f" ({document['beteckning']})", "")])
        text, on = texts[i]
        texts[i] = (f"{text} Kommunen hänvisar till {cite.lower()}.", on)
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--laws", type=int, default=5_000)
    parser.add_argument("--texts", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--repeats", type=int, default=3, help="report the fastest run")
    parser.add_argument("--profile", action="store_true", help="print the top cProfile entries")
    args = parser.parse_args()

    shipped = {law["sfs"] for law in read_catalogue().laws if law.get("sfs")}
    documents = synthetic_register(args.laws, args.seed)
    rows = register_rows(documents, shipped)
    texts = corpus(args.texts, args.seed, documents)
    baseline, baseline_ms = build([])
    register, register_ms = build(rows)
    for catalogue in (baseline, register):
        tag_all(texts[:500], catalogue)  # the lexicon learns new words once; time steady state

    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(tags_only, texts, register)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        return

    count = len(texts)
    print(f"register:          {len(register.laws)} laws ({len(rows)} imported, "
          f"{len(baseline.laws)} shipped)")  # fmt: skip
    print(f"texts:             {count} (seed {args.seed}; dev set + synthetic, 1 in 10 cites "
          "a register law)")  # fmt: skip
    print(f"catalogue compile: {baseline_ms:.0f} ms shipped only, {register_ms:.0f} ms register")
    for name, catalogue in (("shipped only", baseline), ("with register", register)):
        tagger, tags = best_time(tags_only, texts, catalogue, args.repeats)
        filing, _ = best_time(tag_all, texts, catalogue, args.repeats)
        print(
            f"{name:<14} suggest_tags {count / tagger:>7,.0f} texts/s "
            f"({tagger / count * 1e6:.0f} µs/text, {tags} tags); "
            f"+ find_pii {count / filing:>7,.0f} texts/s"
        )


if __name__ == "__main__":
    main()
