"""Precision, recall and F1 per tag kind and for personal data, as docs/tagging.md §12 scores
them, plus the individual mistakes so a developer can see what went wrong.

Pure: labelled lines in, scores out. The caller supplies the predictor (tagger + PII finder), so
this module depends on neither the database nor the PII detector.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, Protocol

from catalogue.tagging.catalogue import TagCatalogue
from catalogue.tagging.engine import suggest_tags
from catalogue.tagids import parse_tag_id

KINDS = ("agency", "law", "provision")
PII = "pii"
PII_TYPES = frozenset({"personnummer", "samordningsnummer", "phone", "email", "address", "name"})


@dataclass(frozen=True, slots=True)
class Score:
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 1.0

    @property
    def recall(self) -> float:
        gold = self.true_positives + self.false_negatives
        return self.true_positives / gold if gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score_sets(pairs: Iterable[tuple[set[object], set[object]]]) -> Score:
    """Pool (predicted, gold) sets over all texts into one score."""
    tp = fp = fn = 0
    for predicted, gold in pairs:
        tp += len(predicted & gold)
        fp += len(predicted - gold)
        fn += len(gold - predicted)
    return Score(tp, fp, fn)


class EvalFormatError(ValueError):
    """A labelled line is not in the eval format; the message names the line and the field."""


PiiItem = tuple[str, str]  # (type, exact substring)


@dataclass(frozen=True, slots=True)
class LabelledText:
    id: str
    text: str
    on: date
    tags: frozenset[str]
    pii: frozenset[PiiItem]


@dataclass(frozen=True, slots=True)
class Prediction:
    tags: frozenset[str]
    pii: frozenset[PiiItem]
    # Why a tag was suggested ("agency abbreviation: 'soc'"), shown with false positives.
    evidence: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Mistake:
    text_id: str
    kind: str  # agency, law, provision or pii
    error: Literal["false positive", "false negative"]
    value: str
    evidence: str = ""


@dataclass(slots=True)
class EvalReport:
    texts: int
    scores: dict[str, Score]
    mistakes: list[Mistake] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The `--json` shape: scores per kind and every mistake."""
        return {
            "texts": self.texts,
            "scores": {
                kind: {
                    "precision": round(score.precision, 4),
                    "recall": round(score.recall, 4),
                    "f1": round(score.f1, 4),
                    "tp": score.true_positives,
                    "fp": score.false_positives,
                    "fn": score.false_negatives,
                }
                for kind, score in self.scores.items()
            },
            "mistakes": [
                {
                    "id": m.text_id,
                    "kind": m.kind,
                    "error": m.error,
                    "value": m.value,
                    **({"evidence": m.evidence} if m.evidence else {}),
                }
                for m in self.mistakes
            ],
        }


def _field[T](item: dict[str, Any], name: str, kind: type[T], where: str) -> T:
    value = item.get(name)
    if not isinstance(value, kind):
        raise EvalFormatError(f"{where}: `{name}` must be a {kind.__name__}, not {value!r}")
    return value


def _parse_pii(raw: list[Any], text: str, where: str) -> frozenset[PiiItem]:
    out: set[PiiItem] = set()
    for entry in raw:
        if not isinstance(entry, dict):
            raise EvalFormatError(f"{where}: each `pii` entry must be an object")
        kind = _field(entry, "type", str, where)
        substring = _field(entry, "text", str, where)
        if kind not in PII_TYPES:
            raise EvalFormatError(f"{where}: unknown pii type {kind!r}")
        if substring not in text:
            raise EvalFormatError(f"{where}: pii text {substring!r} does not occur in the text")
        out.add((kind, substring))
    return frozenset(out)


def parse_labelled_line(line: str, number: int) -> LabelledText:
    """One line of the eval file; EvalFormatError says which line and what is wrong."""
    where = f"line {number}"
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        raise EvalFormatError(f"{where}: not valid JSON ({exc.msg}, column {exc.colno})") from exc
    if not isinstance(item, dict):
        raise EvalFormatError(f"{where}: expected a JSON object")
    ident = _field(item, "id", str, where)
    where = f"line {number} ({ident})"
    text = _field(item, "text", str, where)
    try:
        on = date.fromisoformat(_field(item, "date", str, where))
    except ValueError as exc:
        raise EvalFormatError(f"{where}: `date` must be YYYY-MM-DD") from exc
    tags = _field(item, "tags", list, where)
    for tag in tags:
        try:
            parse_tag_id(tag if isinstance(tag, str) else repr(tag))
        except ValueError as exc:
            raise EvalFormatError(f"{where}: {exc}") from exc
    pii = _parse_pii(_field(item, "pii", list, where), text, where)
    return LabelledText(ident, text, on, frozenset(tags), pii)


def read_labelled(lines: Iterable[str]) -> list[LabelledText]:
    """Every non-blank line of an eval file; ids must be unique because scores pool on them."""
    items: list[LabelledText] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        item = parse_labelled_line(line, number)
        if item.id in seen:
            raise EvalFormatError(f"line {number}: id {item.id!r} occurs twice")
        seen.add(item.id)
        items.append(item)
    if not items:
        raise EvalFormatError("the file holds no labelled texts")
    return items


def kind_of(tag_id: str) -> str:
    return parse_tag_id(tag_id).kind


def evaluate(
    items: Iterable[LabelledText], predict: Callable[[LabelledText], Prediction]
) -> EvalReport:
    """Score the predictor over labelled texts: pooled (text id, tag) and (id, type, text)."""
    pairs: dict[str, list[tuple[set[object], set[object]]]] = {k: [] for k in (*KINDS, PII)}
    mistakes: list[Mistake] = []
    count = 0
    for item in items:
        count += 1
        predicted = predict(item)
        for kind in KINDS:
            got = {t for t in predicted.tags if kind_of(t) == kind}
            gold = {t for t in item.tags if kind_of(t) == kind}
            pairs[kind].append((set(got), set(gold)))
            mistakes += [
                Mistake(item.id, kind, "false positive", t, predicted.evidence.get(t, ""))
                for t in sorted(got - gold)
            ]
            mistakes += [Mistake(item.id, kind, "false negative", t) for t in sorted(gold - got)]
        got_pii, gold_pii = set(predicted.pii), set(item.pii)
        pairs[PII].append((set(got_pii), set(gold_pii)))
        mistakes += [
            Mistake(item.id, PII, "false positive", f"{t}: {s!r}")
            for t, s in sorted(got_pii - gold_pii)
        ]
        mistakes += [
            Mistake(item.id, PII, "false negative", f"{t}: {s!r}")
            for t, s in sorted(gold_pii - got_pii)
        ]
    return EvalReport(count, {kind: score_sets(p) for kind, p in pairs.items()}, mistakes)


class PiiSpan(Protocol):
    """What `deviations.pii.find_pii` returns per hit (read-only attributes)."""

    @property
    def type(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


def tagger_predictor(
    catalogue: TagCatalogue, find_pii: Callable[[str], Iterable[PiiSpan]]
) -> Callable[[LabelledText], Prediction]:
    """Predict as filing does: suggest_tags at the event date, and the PII finder's substrings."""

    def predict(item: LabelledText) -> Prediction:
        tags = suggest_tags(item.text, on=item.on, catalogue=catalogue)
        return Prediction(
            frozenset(t.tag_id for t in tags),
            frozenset((hit.type, item.text[hit.start : hit.end]) for hit in find_pii(item.text)),
            {
                t.tag_id: f"{t.rule}: " + ", ".join(repr(item.text[a:b]) for a, b in t.spans)
                for t in tags
            },
        )

    return predict


def format_report(report: EvalReport, *, max_mistakes: int = 40) -> str:
    """Plain-text table of scores, then the first mistakes per kind, for a terminal."""
    lines = [
        f"{report.texts} texts",
        f"{'kind':<10} {'precision':>9} {'recall':>7} {'F1':>7} {'tp':>5} {'fp':>5} {'fn':>5}",
    ]
    for kind, s in report.scores.items():
        lines.append(
            f"{kind:<10} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>7.3f} "
            f"{s.true_positives:>5} {s.false_positives:>5} {s.false_negatives:>5}"
        )
    if report.mistakes:
        lines.append("")
        lines.append(f"mistakes ({len(report.mistakes)}):")
        lines += [
            f"  {m.text_id:<10} {m.kind:<9} {m.error:<14} {m.value}"
            + (f"  ({m.evidence})" if m.evidence else "")
            for m in report.mistakes[:max_mistakes]
        ]
        if len(report.mistakes) > max_mistakes:
            lines.append(f"  … {len(report.mistakes) - max_mistakes} more (use --json for all)")
    return "\n".join(lines)
