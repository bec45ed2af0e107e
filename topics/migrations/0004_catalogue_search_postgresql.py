"""French full-text search on the catalogue, on PostgreSQL only.

A text search configuration ``french_unaccent`` (French stemming after
unaccent, so that "securite" finds "sécurité"), a GIN index on the
statements' tsvector (the exact expression topics.search uses), and a
trigram index for searches inside references ("IE.33"). SQLite has none of
this: topics.search falls back to an accent-insensitive LIKE there.
"""

from django.db import migrations

from core.migrations_sql import on_postgresql

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """
    DO $$
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'french_unaccent') THEN
            CREATE TEXT SEARCH CONFIGURATION french_unaccent (COPY = french);
            ALTER TEXT SEARCH CONFIGURATION french_unaccent
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
        END IF;
    END
    $$
    """,
    """
    CREATE INDEX IF NOT EXISTS topics_requirementsons_statement_fts
    ON topics_requirementsons
    USING gin (to_tsvector('french_unaccent'::regconfig, COALESCE(statement, '')))
    """,
    """
    CREATE INDEX IF NOT EXISTS topics_requirement_reference_trgm
    ON topics_requirement USING gin (UPPER(reference::text) gin_trgm_ops)
    """,
]
BACKWARD = [
    "DROP INDEX IF EXISTS topics_requirement_reference_trgm",
    "DROP INDEX IF EXISTS topics_requirementsons_statement_fts",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS french_unaccent",
]



class Migration(migrations.Migration):
    dependencies = [("topics", "0003_catalogue_imports")]

    operations = [on_postgresql(FORWARD, BACKWARD)]
