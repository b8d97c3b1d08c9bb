"""The tagger: pure functions from text, event date and catalogue to explained tag suggestions."""

from catalogue.tagging.catalogue import TagCatalogue
from catalogue.tagging.engine import suggest_tags
from catalogue.tagging.types import TagSuggestion

__all__ = ["TagCatalogue", "TagSuggestion", "suggest_tags"]
