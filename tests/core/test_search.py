"""Full-text search with Swedish stemming: the same answers on SQLite (FTS5) and PostgreSQL
(tsvector), CI runs this file on both."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.db import connection

from barriers.models import Barrier
from core.search import (
    RANK,
    STOPWORDS,
    fts5_query,
    query_parse,
    search,
    search_index,
    search_indexes_ensure,
    search_ordering,
    snippet,
    stem_word,
    tsquery,
)
from core.search import (
    stems as stems_of,
)
from deviations.models import Deviation
from tests.barriers.factories import BarrierFactory
from tests.factories import DeviationFactory


def _real_texts() -> list[str]:
    """Real public texts the tagger is measured on: the words people write."""
    found = []
    for path in sorted((Path(__file__).parents[1] / "data" / "real").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                found.append(json.loads(line).get("text", ""))
    return found


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+", text)


TEXTS = {
    "af": "Arbetsförmedlingens handläggare krävde inskrivning trots sjukskrivningen.",
    "stod": "Försörjningsstödet drogs in när hen fick aktivitetsersättning.",
    "csn": "CSN kräver återbetalning av studiemedlen efter avbrottet.",
    "both": "Arbetsförmedlingen och kommunen gav olika besked om försörjningen.",
    "phrase": "Hen fick ett nytt beslut om sjukpenning och ett avslag från kassan.",
    "mark": "Texten <b>innehåller</b> märkning & tecken som ska visas som text.",
}


def _found(text: str, queryset=None) -> set[str]:  # noqa: ANN001 - a queryset of deviations
    rows = search(queryset if queryset is not None else Deviation.objects.all(), text)
    return {d.description for d in rows}


def _keys(text: str) -> set[str]:
    by_text = {v: k for k, v in TEXTS.items()}
    return {by_text[t] for t in _found(text) if t in by_text}


@pytest.fixture
def corpus(db: None) -> dict[str, Deviation]:
    return {key: DeviationFactory(description=text) for key, text in TEXTS.items()}


# --- The parse: one for both databases and the snippets --------------------------------------


def test_words_are_stemmed_and_a_star_matches_what_begins_with_them():
    query = query_parse("Arbetsförmedlingen försörjning*")
    stems = [w.stem for t in query.wanted for w in t.words]
    assert stems == ["arbetsförmedling", "försörjning"]
    assert [w.prefix for t in query.wanted for w in t.words] == [False, True]
    assert stems_of("Försäkringskassans beslut, 2010:110!") == "försäkringskassan beslut 2010 110"


def test_stop_words_digits_short_words_and_punctuation():
    query = query_parse("och att")
    assert not query  # only stop words: no search at all
    assert {"och", "att", "inte", "vilkas"} <= STOPWORDS
    assert len(STOPWORDS) == 114
    (term,) = query_parse("2010:110").terms
    assert [(w.text, w.prefix) for w in term.words] == [("2010", False), ("110", False)]
    (short,) = query_parse("a*").terms
    assert not short.words[0].prefix  # "a*" does not find every word that begins with a


def test_phrases_exclusions_and_the_two_dialects():
    query = query_parse('"beslut om sjukpenning" -csn')
    assert [t.excluded for t in query.terms] == [False, True]
    assert fts5_query(query.wanted) == '("beslut" + "om" + "sjukpenning")'
    assert tsquery(query.wanted) == "('beslut' <2> 'sjukpenning')"
    assert tsquery(query_parse("sjukpenningen*").wanted) == "('sjukpenning':*)"


def test_quotes_in_the_query_cannot_break_out():
    query = query_parse("\"a' OR 1=1 -- \" 'drop")
    assert "'" not in fts5_query(query.wanted).replace("'", "")  # nothing but parsed words
    assert all(w.text.isalnum() for t in query.terms for w in t.words)


# --- The databases ---------------------------------------------------------------------------


def test_inflections_and_compounds_are_found(corpus):
    assert _keys("arbetsförmedlingen") == {"af", "both"}
    assert _keys("ARBETSFÖRMEDLINGENS") == {"af", "both"}
    assert _keys("försörjning") == {"both"}
    assert _keys("försörjning*") == {"stod", "both"}
    assert _keys("återbetalningen") == {"csn"}


def test_every_word_must_be_there_phrases_stand_together_minus_excludes(corpus):
    assert _keys("arbetsförmedlingen kommunen") == {"both"}
    assert _keys('"beslut om sjukpenning"') == {"phrase"}
    assert _keys('"sjukpenning om beslut"') == set()
    assert _keys("arbetsförmedlingen -kommunen") == {"af"}
    assert _keys("-kommunen") == set(TEXTS) - {"both"}


def test_stop_words_alone_leave_the_list_as_it_is(corpus):
    assert search(Deviation.objects.all(), "och att").count() == len(TEXTS)
    assert search(Deviation.objects.all(), "   ").count() == len(TEXTS)


def test_the_best_answer_comes_first(corpus):
    DeviationFactory(description="Kassan, kassan och åter kassan: kassan svarade inte.")
    rows = search(Deviation.objects.all(), "kassan")
    ordered = list(rows.order_by(*search_ordering(rows, "-pk")))
    assert ordered[0].description.startswith("Kassan, kassan")
    assert len(ordered) == 2
    assert search_ordering(Deviation.objects.all(), "-pk") == ["-pk"]


def test_the_index_follows_every_write(corpus):
    deviation = corpus["csn"]
    Deviation.objects.filter(pk=deviation.pk).update(description="Nu handlar det om bostaden.")
    assert _keys("återbetalning") == set()
    assert _found("bostaden") == {"Nu handlar det om bostaden."}
    twin = Deviation.objects.get(pk=deviation.pk)
    twin.pk, twin.reference, twin.description = None, "AV-BULK", "Tandvården nekade."
    Deviation.objects.bulk_create([twin])
    assert _found("tandvård") == {"Tandvården nekade."}
    Deviation.objects.filter(description__startswith="Tandvården").delete()
    assert _found("tandvård") == set()


def test_search_works_inside_a_subquery(corpus):
    inner = search(Deviation.objects.all(), "arbetsförmedlingen")
    outer = Deviation.objects.filter(pk__in=inner.values("pk")).exclude(description="")
    assert {d.description for d in outer} == {TEXTS["af"], TEXTS["both"]}


def test_a_search_looks_its_matches_up_instead_of_reading_every_row(corpus):
    """At a million deviations a scan costs a search a quarter of a second (issue 19): the plan
    must start from the full-text index, the excluded words too."""
    queryset = search(Deviation.objects.all(), "arbetsförmedlingen -bostaden")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET enable_seqscan = off")  # a test table is small enough to scan
        plan = queryset.explain()
        if connection.vendor == "postgresql":
            cursor.execute("RESET enable_seqscan")
    if connection.vendor == "sqlite":
        assert "SCAN deviations_deviation_fts VIRTUAL TABLE" in plan
        assert not re.search(r"SCAN deviations_deviation( |$)", plan, re.MULTILINE), plan
    else:
        assert "Seq Scan on deviations_deviation" not in plan, plan
    assert {d.description for d in queryset} == {TEXTS["af"], TEXTS["both"]}


def test_barriers_rank_a_hit_in_the_title_above_one_in_the_description(db):
    BarrierFactory(title="Studiemedel och sjukskrivning", description="Se CSN.")
    BarrierFactory(title="Annat hinder", description="Här nämns studiemedel en gång.")
    rows = search(Barrier.objects.all(), "studiemedel")
    ordered = list(rows.order_by(*search_ordering(rows, "-pk")))
    assert [b.title for b in ordered] == ["Studiemedel och sjukskrivning", "Annat hinder"]
    assert all(getattr(b, RANK) is not None for b in ordered)


def test_a_lost_index_is_rebuilt_after_migrate(corpus):
    index = search_index(Deviation)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"DROP TRIGGER {index.fts}_ai")  # as a table rebuild would
        else:  # the test's own rows are not yet checked against their foreign keys
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {index.table} DROP COLUMN search_vector")
    assert search_indexes_ensure() == [index.table]
    assert search_indexes_ensure() == []
    DeviationFactory(description="Efter ombyggnaden hittas färdtjänsten.")
    assert _found("färdtjänst") == {"Efter ombyggnaden hittas färdtjänsten."}
    assert _keys("arbetsförmedlingen") == {"af", "both"}


def test_both_databases_stem_alike(db):
    """The query is stemmed in Python; the index by PostgreSQL's dictionary (or, on SQLite, by
    the same Python stemmer): the two must agree word for word, or hits would go missing."""
    words = sorted({w.lower() for text in [*TEXTS.values(), *_real_texts()] for w in _words(text)})
    assert len(words) > 500
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT w, coalesce((SELECT string_agg(lexeme, ' ') "
                "FROM unnest(to_tsvector('swedish', w))), '') FROM unnest(%s::text[]) AS w",
                [words],
            )
            by_database = {w: s for w, s in cursor.fetchall() if s}  # stop words: no lexeme
        else:
            by_database = {
                w: cursor.execute("SELECT KP_STEMS(%s)", [w]).fetchone()[0] for w in words
            }
    differ = {w: (s, stem_word(w)) for w, s in by_database.items() if s != stem_word(w)}
    assert differ == {}
    assert len(by_database) > 400


# --- Snippets --------------------------------------------------------------------------------


def test_snippets_mark_the_hits_and_escape_the_text():
    shown = snippet(TEXTS["mark"], "innehåll tecken")
    assert "<mark>innehåller</mark>" in shown
    assert "<mark>tecken</mark>" in shown
    assert "&lt;b&gt;" in shown
    assert "<b>" not in shown
    assert "&amp;" in shown


def test_a_snippet_of_a_long_text_centres_on_the_first_hit():
    text = "Början. " * 60 + "Här står försörjningsstödet mitt i. " + "Slut. " * 60
    shown = snippet(text, "försörjning*", length=120)
    assert shown.startswith("… ")
    assert shown.endswith(" …")
    assert "<mark>försörjningsstödet</mark>" in shown
    assert len(shown) < 200
    assert snippet(text, "saknas", length=50).endswith(" …")  # no hit: the beginning
