"""Finding requirements by their reference and the words of their statements.

On PostgreSQL: French full-text search through the ``french_unaccent``
configuration (stemming, accents ignored, migration 0004) on each statement's
stored tsvector (``RequirementSons.document``) and its GIN index (migration
0006). On SQLite, which has neither: every word must appear in the statement,
accents and case ignored (a function registered on each connection, apps.py).
Either way a reference containing the text matches too ("IE.33"), typed
with whatever blanks ("SC.\u00a0DMP/HISTO.06"), and so does a former name
of a requirement (topics.ReferenceAlias). Slashes separate words
("RPPS/ADELI" finds "RPPS" and "ADELI", and each finds it).
"""

from __future__ import annotations

import unicodedata

from django.db import connection
from django.db.models import CharField, Exists, Func, OuterRef, Q, QuerySet

from .models import SEARCH_CONFIG, ReferenceAlias, RequirementSons
from .references import normalise_reference


def fold(text: str | None) -> str | None:
    """Lower case without accents: "Sécurité" → "securite"."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


class Folded(Func):
    """``fold()`` in SQL, on SQLite (registered as a function of the connection)."""

    function = "PORTAL_FOLD"
    output_field = CharField()


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("PORTAL_FOLD", 1, fold, deterministic=True)


def matching_statements(text: str) -> QuerySet:
    """The per-SONS rows whose statement matches ``text``."""
    rows = RequirementSons.objects.all()
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery

        words = text.replace("/", " ")
        return rows.filter(
            document=SearchQuery(words, config=SEARCH_CONFIG, search_type="websearch")
        )
    rows = rows.annotate(folded=Folded("statement"))
    for word in fold(text).replace("/", " ").split():
        rows = rows.filter(folded__contains=word.strip('"'))
    return rows


def search_requirements(queryset: QuerySet, text: str) -> QuerySet:
    """``queryset`` narrowed to requirements whose reference contains ``text``
    or whose statement, in any SONS, matches its words."""
    text = (text or "").strip()
    if not text:
        return queryset
    # EXISTS, not IN: with IN under an OR, PostgreSQL hashes the whole
    # subquery rather than probing it per requirement.
    statements = matching_statements(text).filter(requirement_id=OuterRef("pk"))
    reference = normalise_reference(text) or text
    aliases = ReferenceAlias.objects.filter(
        requirement_id=OuterRef("pk"), reference__icontains=reference
    )
    return queryset.filter(Q(reference__icontains=reference) | Exists(aliases) | Exists(statements))
