"""Versions of one rule across reforms, as concepts (docs/domain.md §5).

A law replaced by another (SoL 2001:453 → 2025:400) and a provision continued by a new one
(4 kap. 1 § → 12 kap. 1 §) are versions of one concept. Knots, trends, statistics and a
barrier's evidence count concepts, so a reform does not split one problem in two. A concept's
id is the tag of its newest version. Pure: plain mappings in, a mapping out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from catalogue.tagids import law_tag_id


def concept_map(
    *, successors: Mapping[str, str], continuations: Iterable[tuple[str, str]]
) -> dict[str, str]:
    """Each versioned tag → its concept id; tags left out are their own concept.

    `successors` maps an SFS number to the one that replaced it; `continuations` are
    (old provision tag, new provision tag) pairs, the main continuation of each old provision
    only. Chains are followed to their end (1980:620 → 2001:453 → 2025:400); a cycle in
    edited data stops where it closes instead of looping.
    """
    links: dict[str, str] = {law_tag_id(old): law_tag_id(new) for old, new in successors.items()}
    links.update(continuations)
    concepts: dict[str, str] = {}
    for tag in links:
        seen = {tag}
        end = tag
        while end in links and links[end] not in seen:
            end = links[end]
            seen.add(end)
        if end != tag:
            concepts[tag] = end
    return concepts


def versions_by_concept(concepts: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """Concept id → every tag that is a version of it, the concept's own tag included."""
    groups: dict[str, set[str]] = {}
    for tag, concept in concepts.items():
        groups.setdefault(concept, {concept}).add(tag)
    return {concept: tuple(sorted(tags)) for concept, tags in groups.items()}
