"""Full-text search with Swedish stemming, one interface over both databases.

PostgreSQL keeps a stored `tsvector` (the `swedish` configuration) with a GIN index; the
embedded SQLite keeps an FTS5 table of the same stems, filled by triggers that call the
stemmer registered on every connection. Both are created and repaired by
`search_indexes_ensure` after every `migrate`, so no code path (form, import, admin, bulk
update, retention) can leave the index behind the text.

A query is parsed once, in Python, with the Snowball Swedish stemmer at the version
PostgreSQL's dictionary uses (snowballstemmer 2.2, pinned; a test compares them on
PostgreSQL): every word matches its inflections ("arbetsförmedlingen" finds
"Arbetsförmedlingens"), `försörjning*` also matches what begins with it (compounds such as
"försörjningsstödet"), "quoted words" must stand together, `-word` excludes, stop words ("och",
"att") are ignored as PostgreSQL ignores them. The same parse feeds both databases and the
highlighted snippets, so a hit means the same thing everywhere.
"""

# ruff: noqa: S608 - table and column names come from registered models; user text is a parameter

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from typing import Any

import snowballstemmer
from django.core.paginator import Page, Paginator
from django.db import DatabaseError, connections
from django.db.backends.signals import connection_created
from django.db.models import BooleanField, F, FloatField, Func, Model, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from core.counts import count_kept

# PostgreSQL's `swedish` stop words (tsearch_data/swedish.stop, from Snowball).
_STOP = (
    "och det att i en jag hon som han på den med var sig för så till är men ett om hade de "
    "av icke mig du henne då sin nu har inte hans honom skulle hennes där min man ej vid "
    "kunde något från ut när efter upp vi dem vara vad över än dig kan sina här ha mot alla "
    "under någon eller allt mycket sedan ju denna själv detta åt utan varit hur ingen mitt "
    "ni bli blev oss din dessa några deras blir mina samma vilken er sådan vår blivit dess "
    "inom mellan sådant varför varje vilka ditt vem vilket sitta sådana vart dina vars vårt "
    "våra ert era vilkas"
)
STOPWORDS = frozenset(_STOP.split())
MAX_TERMS = 12
RANKED_MAX = 2_000  # more matches than this are shown newest first, not ranked
COUNT_MAX = 10_000  # a search counts its matches up to here ("more than 10 000")
MIN_PREFIX = 2  # "a*" would match half the language
SQLITE_STEM = "KP_STEMS"
RANK = "search_rank"
VECTOR = "search_vector"

_WORD = re.compile(r"[^\W_]+")  # letters and digits: what FTS5's unicode61 and PostgreSQL split on
_TERM = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')
_PREFIX = re.compile(r"([^\W_]+)\*")


@cache
def _stemmer() -> Any:
    return snowballstemmer.stemmer("swedish")


@dataclass(frozen=True, slots=True)
class Word:
    """One word of a query as typed (lower case) and what it matches."""

    text: str
    stem: str
    prefix: bool  # typed with a star: matches every word whose stem begins with `stem`
    stop: bool
    also: tuple[str, ...] = ()  # more stems of the same word (the definite "-et" form)

    @property
    def stems(self) -> tuple[str, ...]:
        return (self.stem, *self.also)

    def matches(self, token: str) -> bool:
        """Whether a word of a text (lower case) is a hit, as the databases decide."""
        stem = stem_word(token)
        return stem.startswith(self.stem) if self.prefix else stem in self.stems


@dataclass(frozen=True, slots=True)
class Term:
    """A word or a "quoted phrase", wanted or (with a minus) excluded."""

    words: tuple[Word, ...]
    excluded: bool = False

    @property
    def significant(self) -> tuple[Word, ...]:
        return tuple(word for word in self.words if not word.stop)


@dataclass(frozen=True, slots=True)
class Query:
    terms: tuple[Term, ...]

    @property
    def wanted(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if not t.excluded and t.significant)

    @property
    def excluded(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.excluded and t.significant)

    def __bool__(self) -> bool:
        return bool(self.wanted or self.excluded)


@lru_cache(maxsize=200_000)
def stem_word(word: str) -> str:
    """A word's stem; remembered, since a language's texts repeat their words (an import
    stems every description: about 40 words each, most of them seen before)."""
    return word if word.isdigit() else _stemmer().stemWord(word)


def stems(text: str | None) -> str:
    """A text as its stems, lower case, in order: what the SQLite index holds."""
    return " ".join(stem_word(w) for w in _WORD.findall((text or "").lower()))


def _neuter_forms(text: str, stem: str) -> tuple[str, ...]:
    """The stem of the word with or without the definite neuter "-et" ("beslut", "beslutet"):
    this Snowball version leaves "-et" on (Snowball 3 removes it), so a search for "beslut"
    would miss "beslutet". Asked for on the query side, the index stays PostgreSQL's."""
    if not text.isalpha() or len(text) < 4:
        return ()
    other = text[:-2] if text.endswith("et") and len(text) >= 6 else text + "et"
    return tuple({stem_word(other)} - {stem})


def _word(text: str, *, star: bool = False) -> Word:
    stem = stem_word(text)
    return Word(
        text=text,
        stem=stem,
        prefix=star and len(stem) >= MIN_PREFIX,
        stop=text in STOPWORDS and not star,
        also=() if star else _neuter_forms(text, stem),
    )


def query_parse(text: str) -> Query:
    """Words, "phrases" and -exclusions; a word joined by punctuation ("e-post", "2010:110")
    is a phrase of its parts, as both databases split it."""
    terms: list[Term] = []
    for match in _TERM.finditer(text.lower()):
        minus = bool(match.group(1) or match.group(3))
        body = match.group(2) if match.group(2) is not None else match.group(4)
        starred = {m.start(1) for m in _PREFIX.finditer(body)}
        words = tuple(_word(m.group(), star=m.start() in starred) for m in _WORD.finditer(body))
        if words and len(terms) < MAX_TERMS:
            terms.append(Term(words=words, excluded=minus))
    return Query(terms=tuple(terms))


# --- The two dialects -------------------------------------------------------------------------


def _fts5_term(term: Term) -> str:
    """FTS5 over stems: one word with its other stems OR-ed, or a phrase of tokens joined by
    `+` (exact stems; stop words stay, for the positions)."""
    if len(term.words) == 1 and not term.words[0].prefix:
        return " OR ".join(f'"{stem}"' for stem in term.words[0].stems)
    return " + ".join(f'"{w.stem}"*' if w.prefix else f'"{w.stem}"' for w in term.words)


def fts5_query(terms: tuple[Term, ...]) -> str:
    return " AND ".join(f"({_fts5_term(t)})" for t in terms)


def _lexeme(word: Word) -> str:
    quoted = "'" + word.stem.replace("'", "''") + "'"
    return quoted + ":*" if word.prefix else quoted


def _tsquery_term(term: Term) -> str:
    """PostgreSQL drops stop words from the vector but keeps the positions: a phrase
    "a och b" is a <2> b."""
    parts: list[str] = []
    gap = 1
    for word in term.words:
        if word.stop:
            gap += 1
            continue
        if parts:
            parts.append("<->" if gap == 1 else f"<{gap}>")
        parts.append(_lexeme(word))
        gap = 1
    if len(term.words) == 1 and term.words[0].also:
        return " | ".join(f"'{stem}'" for stem in term.words[0].stems)
    return " ".join(parts)


def tsquery(terms: tuple[Term, ...]) -> str:
    """The query for `to_tsquery('simple', …)`: the stems are already PostgreSQL's Swedish
    stems (the same Snowball version), so 'simple' only has to compare them."""
    return " & ".join(f"({_tsquery_term(t)})" for t in terms)


# --- Indexes ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SearchIndex:
    """The searchable text columns of one model's table, most telling first."""

    table: str
    columns: tuple[str, ...]
    weights: tuple[float, ...]

    @property
    def fts(self) -> str:
        return f"{self.table}_fts"


_INDEXES: dict[type[Model], SearchIndex] = {}
_PG_WEIGHTS = "ABCD"


def search_index_register(
    model: type[Model], columns: tuple[str, ...], weights: tuple[float, ...] | None = None
) -> SearchIndex:
    """Make a model's text columns searchable (from its app's `ready()`)."""
    index = SearchIndex(
        table=model._meta.db_table,
        columns=columns,
        weights=weights or tuple(1.0 for _ in columns),
    )
    _INDEXES[model] = index
    return index


def search_index(model: type[Model]) -> SearchIndex:
    return _INDEXES[model._meta.concrete_model]


def _sqlite_ensure(cursor: Any, index: SearchIndex, rebuild: bool) -> bool:
    """An FTS5 table of the stems, kept by triggers that call the stemmer (KP_STEMS, registered
    on every connection). A table rebuilt by a migration loses its triggers: they come back
    here, and the index is filled afresh."""
    cols = ", ".join(index.columns)
    table_sql = (
        f"CREATE VIRTUAL TABLE {index.fts} USING fts5({cols}, "
        "tokenize='unicode61 remove_diacritics 0')"
    )
    present = dict(
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE name LIKE %s", [f"{index.fts}%"]
        ).fetchall()
    )
    triggers = {f"{index.fts}_ai", f"{index.fts}_ad", f"{index.fts}_au"}
    if not rebuild and present.get(index.fts) == table_sql and triggers <= present.keys():
        return False
    for trigger in triggers:
        cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    cursor.execute(f"DROP TABLE IF EXISTS {index.fts}")
    cursor.execute(table_sql)
    stemmed = ", ".join(f"{SQLITE_STEM}(new.{c})" for c in index.columns)
    insert = f"INSERT INTO {index.fts}(rowid, {cols}) VALUES (new.id, {stemmed});"
    delete = f"DELETE FROM {index.fts} WHERE rowid = old.id;"
    cursor.execute(
        f"CREATE TRIGGER {index.fts}_ai AFTER INSERT ON {index.table} BEGIN {insert} END"
    )
    cursor.execute(
        f"CREATE TRIGGER {index.fts}_ad AFTER DELETE ON {index.table} BEGIN {delete} END"
    )
    cursor.execute(
        f"CREATE TRIGGER {index.fts}_au AFTER UPDATE OF {cols} ON {index.table} "
        f"BEGIN {delete} {insert} END"
    )
    everything = ", ".join(f"{SQLITE_STEM}({c})" for c in index.columns)
    cursor.execute(
        f"INSERT INTO {index.fts}(rowid, {cols}) SELECT id, {everything} FROM {index.table}"
    )
    return True


def _sqlite_register(sender: object, connection: Any, **kwargs: object) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_STEM, 1, stems, deterministic=True)


def search_functions_register() -> None:
    """Connect once (core's `ready()`): every SQLite connection gets the stemmer the index
    triggers call."""
    connection_created.connect(_sqlite_register, dispatch_uid="core.search.stems")


def _pg_vector(index: SearchIndex) -> str:
    return " || ".join(
        f"setweight(to_tsvector('swedish'::regconfig, coalesce({column}, '')), "
        f"'{_PG_WEIGHTS[min(i, 3)]}')"
        for i, column in enumerate(index.columns)
    )


def _pg_ensure(cursor: Any, index: SearchIndex, rebuild: bool) -> bool:
    cursor.execute(
        "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a "
        "JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
        "WHERE a.attrelid = %s::regclass AND a.attname = %s AND NOT a.attisdropped",
        [index.table, VECTOR],
    )
    present = cursor.fetchone()
    wanted = _pg_vector(index)
    if present and not rebuild and all(c in present[0] for c in index.columns):
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {index.table}_search ON {index.table} USING gin ({VECTOR})"
        )
        return False
    cursor.execute(f"ALTER TABLE {index.table} DROP COLUMN IF EXISTS {VECTOR}")
    cursor.execute(
        f"ALTER TABLE {index.table} ADD COLUMN {VECTOR} tsvector "
        f"GENERATED ALWAYS AS ({wanted}) STORED"
    )
    cursor.execute(
        f"CREATE INDEX IF NOT EXISTS {index.table}_search ON {index.table} USING gin ({VECTOR})"
    )
    return True


def search_indexes_ensure(using: str = "default", *, rebuild: bool = False) -> list[str]:
    """Create what is missing (and fill it); `rebuild` starts every index afresh. Returns the
    tables whose index was (re)built. Idempotent: runs after every migrate."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    built: list[str] = []
    with connection.cursor() as cursor:
        ensure = {"postgresql": _pg_ensure, "sqlite": _sqlite_ensure}.get(connection.vendor)
        for index in _INDEXES.values():
            if ensure is None or index.table not in existing:
                continue  # not migrated yet: the next post_migrate comes back
            if ensure(cursor, index, rebuild):
                built.append(index.table)
    return built


def search_indexes_after_migrate(sender: object, using: str = "default", **kwargs: object) -> None:
    search_indexes_ensure(using)


# --- Querying ---------------------------------------------------------------------------------


class _Search(Func):
    """Base of the two expressions: bound to the row through its resolved primary key, so the
    SQL follows the table's alias inside subqueries too."""

    def __init__(self, index: SearchIndex, terms: tuple[Term, ...], **extra: Any) -> None:
        super().__init__(F("pk"), **extra)
        self.index = index
        self.terms = terms

    def _alias(self, compiler: Any, connection: Any) -> tuple[str, str]:
        pk_sql, _params = compiler.compile(self.get_source_expressions()[0])
        return pk_sql, pk_sql.rsplit(".", 1)[0]

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        raise DatabaseError(f"Full-text search is not available on {connection.vendor}.")


class SearchMatch(_Search):
    """True where the row has every term (a WHERE condition)."""

    conditional = True
    output_field = BooleanField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        pk, _alias = self._alias(compiler, connection)
        fts = self.index.fts
        return f"{pk} IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s)", [fts5_query(self.terms)]

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        _pk, alias = self._alias(compiler, connection)
        return f"{alias}.{VECTOR} @@ to_tsquery('simple', %s)", [tsquery(self.terms)]


class SearchRank(_Search):
    """How well the row answers the terms: higher is better (only the order is meaningful)."""

    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        """One pass over the matches builds {rowid: score} (an uncorrelated subquery, run once
        per statement); each row looks its score up. Asking FTS5 per row cost 0.6 ms a row.
        LIMIT -1 keeps SQLite from folding bm25() into the aggregate, where it may not run."""
        pk, _alias = self._alias(compiler, connection)
        fts = self.index.fts
        weights = ", ".join(str(w) for w in self.index.weights)
        scores = (
            f"(SELECT json_group_object(id, score) FROM (SELECT rowid AS id, "
            f"-bm25({fts}, {weights}) AS score FROM {fts} WHERE {fts} MATCH %s LIMIT -1))"
        )
        return f"json_extract({scores}, '$.' || {pk})", [fts5_query(self.terms)]

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        _pk, alias = self._alias(compiler, connection)
        return f"ts_rank({alias}.{VECTOR}, to_tsquery('simple', %s))", [tsquery(self.terms)]


def search[M: Model](queryset: QuerySet[M], text: str) -> QuerySet[M]:
    """The rows of `queryset` that answer `text`, annotated with `search_rank`. An empty or
    stop-word-only query leaves the queryset as it is."""
    query = query_parse(text)
    if not query:
        return queryset
    index = search_index(queryset.model)
    if query.wanted:
        queryset = queryset.filter(_matching(queryset, index, query.wanted))
        queryset = queryset.annotate(**{RANK: SearchRank(index, query.wanted)})
    for term in query.excluded:
        queryset = queryset.exclude(_matching(queryset, index, (term,)))
    return queryset


def _matching(queryset: QuerySet[Any], index: SearchIndex, terms: tuple[Term, ...]) -> Q:
    """The rows that have every term. On SQLite a plain `id IN (FTS5 matches)`: as a boolean
    expression Django compares it with 1, and SQLite then scans every row instead of looking
    the matches up (a search of a million deviations 0.23 s instead of 16 ms)."""
    if connections[queryset.db].vendor == "sqlite":
        fts = index.fts
        matches = f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s"  # noqa: S608 - a registered table
        return Q(pk__in=RawSQL(matches, [fts5_query(terms)]))  # noqa: S611 - the query a parameter
    return Q(SearchMatch(index, terms))


def search_ordering(
    queryset: QuerySet[Any], *default: str, matches: int | None = None
) -> list[str]:
    """Best answers first when the queryset was searched and the answers are few enough to
    rank (RANKED_MAX), else `default` (newest first): ranking every row that has a common word
    costs seconds at a million rows and tells little. `matches` spares a count already made."""
    if RANK not in queryset.query.annotations:
        return list(default)
    if matches is None:
        matches = queryset.order_by().values("pk")[: RANKED_MAX + 1].count()
    return [f"-{RANK}", *default] if matches <= RANKED_MAX else list(default)


class ListPaginator(Paginator):
    """Deep pages read their rows' ids first (OFFSET over the list's index, not over whole
    rows), then those rows by id: the middle page of a million deviations in 0.04 s instead of
    0.3 s. The first pages, and lists that are not querysets, page as Django's do."""

    deep = 1000  # rows skipped before the ids are read first

    @cached_property
    def count(self) -> int:
        """Kept while the tables the list reads are unchanged (core.counts)."""
        if isinstance(self.object_list, QuerySet):
            return count_kept(self.object_list)
        return super().count

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if bottom < self.deep or not isinstance(self.object_list, QuerySet):
            return super().page(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        found = self.object_list.order_by().in_bulk(ids)
        return self._get_page([found[pk] for pk in ids if pk in found], number, self)


class _CountedPaginator(ListPaginator):
    """A paginator told its count (capped), so it never counts every match itself."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known = count

    @cached_property
    def count(self) -> int:
        return self._known


class SearchPaginator(ListPaginator):
    """A paginator that counts a searched list only up to COUNT_MAX (`capped` says when it
    stopped there); any other list it counts as Django's does. For the API's pages."""

    capped = False

    @cached_property
    def count(self) -> int:
        query = getattr(self.object_list, "query", None)
        if query is None or RANK not in query.annotations:
            return super().count
        matches = self.object_list.order_by().values("pk")[: COUNT_MAX + 1].count()
        self.capped = matches > COUNT_MAX
        return min(matches, COUNT_MAX)


@dataclass(frozen=True, slots=True)
class SearchPage:
    """A page of a list that may have been searched, and how to describe it."""

    page: Page
    ranked: bool  # best answers first; False: in the list's own order
    more_than: int | None  # the matches exceed this many (the count stops there)


def search_page(
    queryset: QuerySet[Any],
    *default: str,
    number: object,
    per_page: int,
    rank: bool = True,
) -> SearchPage:
    """Paginate a list the same way whether or not it was searched: a searched list is counted
    only up to COUNT_MAX and ranked when `rank` and the matches are few enough."""
    if RANK not in queryset.query.annotations:
        page = ListPaginator(queryset.order_by(*default), per_page).get_page(number)
        return SearchPage(page=page, ranked=False, more_than=None)
    matches = queryset.order_by().values("pk")[: COUNT_MAX + 1].count()
    ordering = search_ordering(queryset, *default, matches=matches) if rank else list(default)
    paginator = _CountedPaginator(
        queryset.order_by(*ordering), per_page, count=min(matches, COUNT_MAX)
    )
    return SearchPage(
        page=paginator.get_page(number),
        ranked=ordering[0] == f"-{RANK}",
        more_than=COUNT_MAX if matches > COUNT_MAX else None,
    )


# --- Snippets ---------------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W_]+")


def snippet(text: str, query: str | Query, *, length: int = 220) -> SafeString:
    """A short, escaped passage of `text` around the first hits, each hit in <mark>."""
    parsed = query_parse(query) if isinstance(query, str) else query
    words = [w for t in parsed.wanted for w in t.significant]
    hits = [m for m in _TOKEN.finditer(text) if any(w.matches(m.group().lower()) for w in words)]
    if not hits:
        short = text if len(text) <= length else text[:length].rsplit(" ", 1)[0] + " …"
        return SafeString(escape(short))
    start = max(0, hits[0].start() - length // 4)
    if start:
        space = text.rfind(" ", 0, start)
        start = space + 1 if space >= 0 else start
    end = min(len(text), start + length)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > hits[0].end() else end
    out: list[str] = ["… " if start else ""]
    cursor = start
    for hit in hits:
        if hit.start() < cursor or hit.end() > end:
            continue
        out.append(escape(text[cursor : hit.start()]))
        out.append(f"<mark>{escape(hit.group())}</mark>")
        cursor = hit.end()
    out.append(escape(text[cursor:end]))
    out.append(" …" if end < len(text) else "")
    return mark_safe("".join(out))  # noqa: S308 - every piece of the text is escaped above
