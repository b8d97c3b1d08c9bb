"""The tagger: pure functions from text, event date and catalogue to explained tag suggestions."""

from deviations.tagging.catalogue import TagCatalogue
from deviations.tagging.engine import suggest_tags
from deviations.tagging.types import TagSuggestion

__all__ = ["TagCatalogue", "TagSuggestion", "suggest_tags"]
