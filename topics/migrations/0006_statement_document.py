"""Each statement's tsvector stored with its row (a generated column), and
the GIN index on it in place of the expression index of 0004.

Searching through the expression index left PostgreSQL's planner a choice it
misjudged: for a common word ("dossier" in half the statements at scale 4)
it read the table and ran the French stemmer over every statement (140 ms)
rather than ask the index (3 ms), since it costs to_tsvector as cheap. A
stored vector is cheap to read either way. SQLite: a NULL column, no index.
"""

import django.contrib.postgres.search
from django.db import migrations, models

from core.migrations_sql import on_postgresql

import topics.models

FORWARD = [
    "DROP INDEX IF EXISTS topics_requirementsons_statement_fts",
    "CREATE INDEX topics_requirementsons_document ON topics_requirementsons USING gin (document)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS topics_requirementsons_document",
    """
    CREATE INDEX IF NOT EXISTS topics_requirementsons_statement_fts
    ON topics_requirementsons
    USING gin (to_tsvector('french_unaccent'::regconfig, COALESCE(statement, '')))
    """,
]



class Migration(migrations.Migration):
    dependencies = [("topics", "0005_topic_feedback_window")]

    operations = [
        migrations.AddField(
            model_name="requirementsons",
            name="document",
            field=models.GeneratedField(
                db_persist=True,
                expression=topics.models.StatementDocument(),
                output_field=django.contrib.postgres.search.SearchVectorField(null=True),
            ),
        ),
        # Reverse order on the way back: the old index is rebuilt before
        # the column goes.
        on_postgresql(FORWARD, BACKWARD),
    ]
