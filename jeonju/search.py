"""How the site matches a typed query against bilingual text, on every database alike.

A query is cut into words (letters and digits; punctuation separates). A record matches when
every word matches one of its fields:

- a word of Latin letters and digits matches at the start of a word ("art" finds "Art Factory",
  not "apartment");
- any other word (Korean above all) matches anywhere in the text with its spaces taken out, so
  "팔복 예술" and "팔복예술" both find "팔복예술공장" (Koreans space compounds freely).

The fields of one record are joined into two documents, one as written (for the word starts) and
one lower-cased without spaces (for the rest). On PostgreSQL the first has a trigram (pg_trgm) GIN
index, which `~*` uses, and the second a GIN index of its character pairs (`CompactContains`), both
built from the same expressions as the queries (`trigram_index_operation`); SQLite runs the same
conditions row by row, and both give the same results.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Case, Q, TextField, Value, When
from django.db.models.expressions import Expression, F, Func
from django.db.models.functions import Coalesce, Lower, Replace
from django.db.models.lookups import Contains, IRegex

# The longest query the search takes (the header's box allows as many characters).
MAX_QUERY_LENGTH = 100
# Words beyond this many are not searched for (each one is a condition on every kind).
MAX_WORDS = 8
# Between two fields in a document: never part of a word, so no match spans two fields.
SEPARATOR = " | "

_WORD = re.compile(r"\w+")
_LATIN = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Word:
    text: str  # lower-cased
    latin: bool  # matched at word starts; otherwise anywhere, spaces aside

    @property
    def pattern(self) -> str:
        """The word-start regular expression, in the syntax SQLite's (Python's) and PostgreSQL's
        regular expressions share."""
        return f"(^|[^a-z0-9]){self.text}"


def words(query: str) -> list[Word]:
    """The words of a query, each once, in their order; at most MAX_WORDS."""
    found: list[Word] = []
    for text in _WORD.findall((query or "").lower()):
        text = text.replace("_", "")
        word = Word(text, bool(_LATIN.fullmatch(text)))
        if text and word not in found:
            found.append(word)
    return found[:MAX_WORDS]


def compact(text: str) -> str:
    """A text as the compact document holds it: lower-cased, its spaces taken out."""
    return (text or "").replace(" ", "").lower()


def text_matches(texts: Iterable[str], word: Word) -> bool:
    """Whether a word matches one of these texts, by the rules the database applies (for the
    few things matched in Python: the regions' names, which are translated labels)."""
    texts = [t for t in texts if t]
    if word.latin:
        return any(re.search(word.pattern, t, re.IGNORECASE) for t in texts)
    return any(word.text in compact(t) for t in texts)


class _Joined(Func):
    """Texts joined with `||`, which PostgreSQL (unlike CONCAT()) may index."""

    template = "(%(expressions)s)"
    arg_joiner = " || "
    output_field = TextField()


def document(fields: Sequence[str]) -> Expression:
    """The fields of a record as written, joined by SEPARATOR (NULL counting as empty)."""
    parts: list = []
    for field in fields:
        if parts:
            parts.append(Value(SEPARATOR))
        parts.append(Coalesce(F(field), Value(""), output_field=TextField()))
    return _Joined(*parts) if len(parts) > 1 else parts[0]


def compact_document(fields: Sequence[str]) -> Expression:
    """The same, lower-cased and without spaces."""
    return Lower(Replace(document(fields), Value(" "), Value(""), output_field=TextField()))


def bigrams(text: str) -> list[str]:
    """The distinct pairs of neighbouring characters of a text, as `jeonju_bigrams()` gives them."""
    return sorted({text[i : i + 2] for i in range(len(text) - 1)})


class CompactContains(Contains):
    """`LIKE '%word%'` on a compact document. On PostgreSQL also "the document has every pair of
    neighbouring characters of the word", which its bigram GIN index answers: trigrams cannot
    serve the two-syllable Korean words (서울, 예술) that most queries are made of."""

    def as_postgresql(self, compiler, connection):
        sql, params = self.as_sql(compiler, connection)
        pairs = bigrams(self.rhs)
        if not pairs:
            return sql, params
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        # The LIKE first: where PostgreSQL tests rows one by one rather than through the index,
        # it then computes the pairs only of the rows that match.
        return f"({sql} AND jeonju_bigrams({lhs_sql}) @> %s::text[])", (*params, *lhs_params, pairs)


def matches_word(fields: Sequence[str], word: Word, *, indexed: bool = True) -> Q:
    """The condition that `word` matches one of `fields` (paths from the queried model);
    `indexed=False` for a condition only ever tested on rows already found (no index helps)."""
    if word.latin:
        return Q(IRegex(document(fields), word.pattern))
    return Q((CompactContains if indexed else Contains)(compact_document(fields), word.text))


def matches_all(fields: Sequence[str], query_words: Sequence[Word], *, indexed: bool = True) -> Q:
    """Every word matches one of `fields`."""
    condition = Q()
    for word in query_words:
        condition &= matches_word(fields, word, indexed=indexed)
    return condition


def rank(fields: Sequence[str], query_words: Sequence[Word]) -> Expression:
    """0 where every word matches one of `fields` (a record's name), 1 otherwise: to order what
    the name finds before what only a description does ("art" finds the Art Factory before a
    description citing an "article")."""
    return Case(When(matches_all(fields, query_words, indexed=False), then=Value(0)), default=Value(1))


# Immutable, so an index may hold it. A plain loop: where PostgreSQL tests a row rather than the
# index, this runs once a row, and it is the faster of the ways tried (bench/README.md).
BIGRAMS_FUNCTION = """
CREATE OR REPLACE FUNCTION jeonju_bigrams(t text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE pairs text[] := '{}';
BEGIN
    FOR i IN 1 .. length(t) - 1 LOOP
        pairs := pairs || substr(t, i, 2);
    END LOOP;
    RETURN pairs;
END
$$"""


def _index_statements(schema_editor, model, model_name: str, fields: Sequence[str]) -> list[tuple[str, str]]:
    """(name, CREATE …) of the two indexes on these fields, trigrams of the document and pairs of
    the compact one, and of the statistics on both. Their expressions are compiled as the queries
    compile them, so PostgreSQL recognises them in a WHERE clause (Django's own OpClass would put
    the operator class inside the expression's parentheses)."""
    from django.db.models.sql import Query

    query = Query(model, alias_cols=False)
    compiler = query.get_compiler(connection=schema_editor.connection)
    table = schema_editor.quote_name(model._meta.db_table)

    def compiled(expression):
        sql, params = expression.resolve_expression(query).as_sql(compiler, schema_editor.connection)
        return sql % tuple(schema_editor.quote_value(param) for param in params)

    search, compact = f"{model_name}_search_trgm", f"{model_name}_compact_bigrams"
    statistics = f"{model_name}_search_stats"
    raw, squeezed = compiled(document(fields)), compiled(compact_document(fields))
    return [
        (search, f"CREATE INDEX {search} ON {table} USING gin (({raw}) gin_trgm_ops)"),
        (compact, f"CREATE INDEX {compact} ON {table} USING gin (jeonju_bigrams({squeezed}))"),
        # What the documents hold, so that PostgreSQL estimates how many rows a word matches (it
        # guesses "few" otherwise, and reads every match of a common word before keeping ten).
        (statistics, f"CREATE STATISTICS {statistics} ON ({raw}), ({squeezed}) FROM {table}"),
    ]


def trigram_index_operation(app_label: str, model_name: str, fields: Sequence[str]):
    """A migration operation creating the GIN indexes that serve `matches_word` on these fields on
    PostgreSQL (pg_trgm and the function `jeonju_bigrams`, created if missing), and doing nothing
    elsewhere: the indexes stay out of the model's Meta because SQLite has no such index."""
    from django.db import migrations

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            model = apps.get_model(app_label, model_name)
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema_editor.execute(BIGRAMS_FUNCTION)
            for _name, statement in _index_statements(schema_editor, model, model_name, fields):
                schema_editor.execute(statement)

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            model = apps.get_model(app_label, model_name)
            for name, statement in _index_statements(schema_editor, model, model_name, fields):
                kind = "STATISTICS" if statement.startswith("CREATE STATISTICS") else "INDEX"
                schema_editor.execute(f"DROP {kind} IF EXISTS {name}")

    return migrations.RunPython(forwards, backwards, elidable=False)
