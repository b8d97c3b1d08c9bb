"""The catalogue shipped in catalogue/data, compiled once for the pure tagger's tests."""

from functools import lru_cache

from catalogue.tagger_catalogue import catalogue_from_files
from catalogue.tagging import TagCatalogue


@lru_cache(maxsize=1)
def default_catalogue() -> TagCatalogue:
    return catalogue_from_files()
