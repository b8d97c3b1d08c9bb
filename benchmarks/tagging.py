"""Throughput of the tagger plus the PII finder on synthetic deviation texts, on one core.

Run: `.venv/bin/python benchmarks/tagging.py [--texts N] [--seed S] [--profile]`.

Filing runs `suggest_tags` and `find_pii` on every text, so both are timed together. The texts
are built deterministically from Swedish sentence templates (statute references, agencies,
everyday terms, tricky numbers and some personal data) to about 600 characters each. No Django
and no database: the catalogue comes from the JSON data files. Results go in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import random
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from catalogue.tagger_catalogue import catalogue_from_files  # noqa: E402
from catalogue.tagging import TagCatalogue, suggest_tags  # noqa: E402
from privacy.pii import find_pii  # noqa: E402

TARGET_CHARS = 600

AGENCIES = [
    "FK", "Af", "soc", "Försäkringskassan", "Arbetsförmedlingen", "socialtjänsten", "FK:s",
    "Af:s", "vårdcentralen", "VC", "psykiatrin", "kommunen", "regionen", "a-kassan", "CSN",
    "Migrationsverket", "Kronofogden", "frivården", "socialsekreteraren", "arbetsförmedlaren",
    "husläkaren", "förbundet", "arbetsgivaren", "Skatteverket", "Försäkringskassans", "fk", "af",
]  # fmt: skip
REFERENCES = [
    "27 kap. 48 § SFB", "27 kap 48§ SFB", "4 kap. 1 § SoL", "10 kap. 2 § OSL",
    "27 kap. 46–49 §§ SFB", "11 kap. 11–11 b §§ SoL", "16 kap. 4 § HSL", "9 § 10 LSS",
    "5 kap. 2 a § förordningen (2017:819)", "7 § lagen (2003:1210)", "30 kap. 6 § SFB",
    "110 kap. 14 och 31 §§ SFB", "33–35 kap. SFB", "SFB 27:48", "8 § förvaltningslagen",
    "26 kap. socialförsäkringsbalken", "3 kap. 16 § patientdatalagen", "2 kap. 7 § SoL",
    "28 kap. 11 § samma lag", "lagen (2019:1297) om koordineringsinsatser",
]  # fmt: skip
TERMS = [
    "sjukpenning", "sjukpenningen", "försörjningsstöd", "ekonomiskt bistånd", "aktivitetsstöd",
    "aktivitetsstödet", "SGI", "SIP", "normalt förekommande arbete", "inskriven med förhinder",
    "sjukersättning", "aktivitetsersättning", "lönebidrag", "daglig verksamhet", "sekretess",
    "samtycke", "handlingsplanen", "anvisning", "arbetspraktik", "studiemedel", "skuldsanering",
    "rehabiliteringsersättning", "plan för återgång i arbete", "sjuklön", "SGI-skyddet",
]  # fmt: skip
NOISE = [
    "den 27 maj", "kl 14:30", "4 500 kr", "27 timmar", "dnr 2021/879", "RiR 2020:12",
    "SOSFS 2013:1", "protokoll § 14", "vecka 12", "24 år", "2024-05-14", "AFFS 2015:1",
]  # fmt: skip
PII = [
    "870514-9832", "070-174 06 52", "ines.varglund84@example.com", "Björkvägen 3",
    "Tindra Öhlund", "19660918-9821", "+46 70 174 06 89", "08-465 004 27",
]  # fmt: skip
TEMPLATES = [
    # Sentences that name agencies, laws and everyday terms.
    "{agency} avslog ansökan om {term} med hänvisning till {ref}.",
    "Deltagaren har {term} men {agency} kräver ett nytt läkarintyg.",
    "Enligt {ref} ska {agency} samverka, men inget har hänt sedan {noise}.",
    "{agency} och {agency2} hänvisar till varandra och ingen tar ansvar för {term}.",
    "{agency} har inte svarat på vår fråga om {term} trots påminnelse.",
    "Handläggaren på {agency} menar att {ref} inte är tillämplig i det här fallet.",
    "deltagare {pii} har {term}, {agency} väntar på underlag från {agency2}.",
    "{agency2} kan inte bevilja {term} förrän {agency} fattat beslut enligt {ref}.",
    "Under tiden har hon bara {term} och {agency} säger att det inte är deras ansvar.",
    "Samma mönster som i {noise}: {agency} informerade inte om vad {term} innebär.",
    "Deltagaren har väntat i {n} veckor på besked från {agency}.",
    "Socialsekreteraren kräver att han står till arbetsmarknadens förfogande.",
    "Kontakt via {pii} för återkoppling, hon orkar inte ringa själv.",
    "Möte med {agency} {noise}, deltagaren kom inte eftersom kallelsen kom för sent.",
    # Narrative sentences, as most of a real description is.
    "Ingen av myndigheterna kan visa när underlaget begärdes eller vem som skulle göra det.",
    "Vi har lyft frågan till styrgruppen men inget beslut har fattats ännu.",
    "Deltagaren har tappat motivationen och uteblir från möten.",
    "Hon har nu varit utan inkomst i {n} veckor och har fått låna till hyran.",
    "Det här är tredje gången i år som samma sak händer i vårt team.",
    "Vi har försökt få till ett gemensamt möte, men ingen anser att frågan är deras.",
    "Beslutet kom först efter {n} veckor och deltagaren fick ingen förklaring.",
    "Rundgång mellan myndigheterna, ingen tar helhetsansvar för personen.",
    "Han har svårt att läsa och förstår inte breven han får.",
    "Planeringen står still tills någon fattar ett beslut.",
    "Teamet har lagt flera möten på att reda ut vem som ansvarar för vad.",
    "Deltagaren upplever att ingen lyssnar och vill avbryta kontakten med oss.",
]


def synthetic_texts(count: int, seed: int) -> list[tuple[str, date]]:
    """`count` texts of about TARGET_CHARS characters, the same for the same seed."""
    rng = random.Random(seed)
    start = date(2023, 1, 1)
    texts = []
    for _ in range(count):
        sentences: list[str] = []
        length = 0
        while length < TARGET_CHARS - 60:
            sentence = rng.choice(TEMPLATES).format(
                agency=rng.choice(AGENCIES),
                agency2=rng.choice(AGENCIES),
                term=rng.choice(TERMS),
                ref=rng.choice(REFERENCES),
                ref2=rng.choice(REFERENCES),
                noise=rng.choice(NOISE),
                pii=rng.choice(PII),
                n=rng.randint(2, 30),
            )
            sentences.append(sentence[0].upper() + sentence[1:])
            length += len(sentence) + 1
        texts.append((" ".join(sentences), start + timedelta(days=rng.randrange(4 * 365))))
    return texts


def tag_all(texts: list[tuple[str, date]], catalogue: TagCatalogue) -> int:
    """What filing does per text; returns the number of findings so nothing is optimised away."""
    found = 0
    for text, on in texts:
        found += len(suggest_tags(text, on=on, catalogue=catalogue))
        found += len(find_pii(text))
    return found


def tags_only(texts: list[tuple[str, date]], catalogue: TagCatalogue) -> int:
    return sum(len(suggest_tags(text, on=on, catalogue=catalogue)) for text, on in texts)


def pii_only(texts: list[tuple[str, date]], catalogue: TagCatalogue) -> int:
    return sum(len(find_pii(text)) for text, _ in texts)


def best_time(
    run: Callable[[list[tuple[str, date]], TagCatalogue], int],
    texts: list[tuple[str, date]],
    catalogue: TagCatalogue,
    repeats: int,
) -> tuple[float, int]:
    """Fastest of `repeats` runs: the least disturbed by other work on the machine."""
    timings, result = [], 0
    for _ in range(repeats):
        started = time.perf_counter()
        result = run(texts, catalogue)
        timings.append(time.perf_counter() - started)
    return min(timings), result


def tag_text_startup(repeats: int = 5) -> tuple[float, list[float]]:
    """Wall time of `manage.py tag_text` on one line, in fresh processes."""
    import os
    import subprocess

    root = Path(__file__).resolve().parents[1]
    database = root / "var" / "bench" / "tag-text.sqlite3"
    database.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "SQLITE_PATH": str(database), "DEBUG": "1"}
    env.pop("DATABASE_URL", None)
    manage = [sys.executable, str(root / "manage.py")]
    for command in (["migrate", "-v", "0"], ["load_catalogue", "-v", "0"]):
        subprocess.run([*manage, *command], check=True, env=env, cwd=root)  # noqa: S603
    line = '{"id": "1", "text": "FK och Af är oeniga enligt 27 kap. 48 § SFB."}\n'
    times = []
    for _ in range(repeats + 1):
        started = time.perf_counter()
        subprocess.run(  # noqa: S603 - this project's manage.py
            [*manage, "tag_text"], input=line, text=True, check=True, env=env, cwd=root,
            capture_output=True,
        )  # fmt: skip
        times.append(time.perf_counter() - started)
    return times[0], times[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--texts", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--repeats", type=int, default=3, help="report the fastest run")
    parser.add_argument("--profile", action="store_true", help="print the top cProfile entries")
    parser.add_argument(
        "--startup",
        action="store_true",
        help="also time `manage.py tag_text` from start to exit on one line (a throw-away "
        "database under var/bench/ with the catalogue; the first run compiles it)",
    )
    args = parser.parse_args()

    started = time.perf_counter()
    catalogue = catalogue_from_files()
    compile_ms = (time.perf_counter() - started) * 1000
    texts = synthetic_texts(args.texts, args.seed)
    mean_chars = sum(len(t) for t, _ in texts) / len(texts)
    tag_all(texts[:500], catalogue)  # the lexicon learns the new words once; time steady state

    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(tag_all, texts, catalogue)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        return

    elapsed, findings = best_time(tag_all, texts, catalogue, args.repeats)
    tagger, _ = best_time(tags_only, texts, catalogue, args.repeats)
    pii, _ = best_time(pii_only, texts, catalogue, args.repeats)

    tracemalloc.start()
    tag_all(texts[:2000], catalogue)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    max_rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    count = len(texts)
    print(f"texts:             {count} (seed {args.seed}), mean {mean_chars:.0f} chars")
    print(f"findings:          {findings} ({findings / count:.1f} per text)")
    print(f"catalogue compile: {compile_ms:.0f} ms")
    print(f"total time:        {elapsed:.2f} s (fastest of {args.repeats})")
    print(f"throughput:        {count / elapsed:,.0f} texts/s, suggest_tags + find_pii, one core")
    print(f"  suggest_tags:    {count / tagger:,.0f} texts/s ({tagger / count * 1e6:.0f} µs/text)")
    print(f"  find_pii:        {count / pii:,.0f} texts/s ({pii / count * 1e6:.0f} µs/text)")
    print(f"tracemalloc peak:  {peak / 1024:,.0f} KiB (while tagging 2,000 texts)")
    print(f"ru_maxrss:         {max_rss_kib / 1024:,.1f} MiB (whole process)")
    total_chars = sum(len(text) for text, _ in texts)
    figures = {
        "texts": count,
        "texts_per_s": round(count / elapsed),
        "chars_per_s": round(total_chars / elapsed),
        "mean_chars": round(mean_chars),
        "suggest_tags_texts_per_s": round(count / tagger),
        "find_pii_texts_per_s": round(count / pii),
        "findings": findings,
        "catalogue_compile_ms": round(compile_ms),
        "peak_rss_mib": round(max_rss_kib / 1024, 1),
    }
    if args.startup:
        first, runs = tag_text_startup()
        print(f"tag_text start-up: first run {first:.2f} s (compiles the catalogue), then "
              + ", ".join(f"{r:.3f}" for r in runs) + " s")  # fmt: skip
        figures["tag_text_first_run_s"] = round(first, 3)
        figures["tag_text_startup_s"] = round(sorted(runs)[len(runs) // 2], 3)
    print(json.dumps(figures))  # contracts §6: one JSON object on the last line


if __name__ == "__main__":
    main()
