"""The tagger's catalogue straight from the JSON data files, without a database.

The benchmark, the evaluation and fast tests need the tagger without Django. The rows are
shaped exactly as `deviations.selectors.tag_catalogue()` reads them from the database after
`load_catalogue`, so both paths give the same suggestions (see test_tagger_catalogue.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from catalogue.schema import DATA_DIR, read_catalogue
from catalogue.tagging.catalogue import TagCatalogue
from catalogue.tagids import provision_tag_id


def catalogue_from_files(data_dir: Path = DATA_DIR) -> TagCatalogue:
    """Read, check and compile the catalogue files; raises CatalogueError on bad data."""
    data = read_catalogue(data_dir)
    # The loader keys terms on their word, so a later row with the same word wins there too.
    terms = {row["term"]: row for row in data.terms}
    return TagCatalogue.from_rows(
        laws=[law for law in data.laws if law.get("sfs")],
        agencies=data.agencies,
        terms=terms.values(),
        provisions=[
            provision_tag_id(p["law"], p["chapter"], p["section"])
            for p in [*data.provisions, *_concordance_ends(data.concordance)]
        ],
    )


def _concordance_ends(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The provisions a concordance line names, which the loader adds to the catalogue."""
    return [end for line in lines for end in (line["old"], *line["new"])]
