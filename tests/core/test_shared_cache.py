"""The shared cache outlives a release: a value the code can no longer read is a miss."""

from __future__ import annotations

import sys
from dataclasses import dataclass

import pytest
from django.core.cache import cache


@dataclass
class Figure:
    value: int


@pytest.mark.django_db
def test_a_value_of_a_class_that_is_gone_is_a_miss_and_is_removed(monkeypatch) -> None:
    cache.set("old", Figure(5))
    cache.set("fine", [1, 2, 3])
    assert cache.get("old") == Figure(5)
    monkeypatch.delattr(sys.modules[__name__], "Figure")  # as if an upgrade removed the class
    assert cache.get_many(["old", "fine"]) == {"fine": [1, 2, 3]}
    assert cache.get("old", "missing") == "missing"
    monkeypatch.undo()
    assert cache.get("old") is None  # removed, not just skipped


@pytest.mark.django_db
def test_a_value_whose_class_changed_shape_is_a_miss(monkeypatch) -> None:
    cache.set("shape", Figure(1))

    class Reshaped(tuple):  # a dataclass turned into a named tuple, as GraphEdge was
        __slots__ = ()

        def __new__(cls, value: int) -> Reshaped:
            return tuple.__new__(cls, (value,))

    monkeypatch.setattr(sys.modules[__name__], "Figure", Reshaped)
    assert cache.get("shape") is None
