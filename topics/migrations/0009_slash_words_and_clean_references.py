"""Two fixes the authority's real files showed.

- Statements' words around a slash ("RPPS/ADELI", "télécharger/intégrer")
  are found by either part: the stored tsvector (0006) now reads slashes as
  spaces. A generated column's expression cannot be altered: it is dropped
  and added again, with its GIN index (PostgreSQL only; SQLite keeps NULL).
- References written with a non-breaking or trailing space, or a prefix in
  another case, are cleaned (topics.references.normalise_reference). One
  that would then clash with an existing reference is left as it is and
  named in the migration's output: the two requirements are to be merged by
  hand.
"""

import django.contrib.postgres.search
from django.db import migrations, models

from core.migrations_sql import on_postgresql

import topics.models

INDEX = [
    "CREATE INDEX IF NOT EXISTS topics_requirementsons_document "
    "ON topics_requirementsons USING gin (document)",
]
NO_INDEX = ["DROP INDEX IF EXISTS topics_requirementsons_document"]


def clean_references(apps, schema_editor):
    from topics.references import normalise_reference

    Requirement = apps.get_model("topics", "Requirement")
    taken = set(Requirement.objects.values_list("reference", flat=True))
    for requirement in Requirement.objects.all():
        clean = normalise_reference(requirement.reference)
        if clean == requirement.reference:
            continue
        if clean in taken:
            print(f"\n  {requirement.reference!r} left as it is: {clean!r} exists (merge them).")
            continue
        taken.discard(requirement.reference)
        taken.add(clean)
        requirement.reference = clean
        requirement.save(update_fields=["reference"])


class Migration(migrations.Migration):
    dependencies = [("topics", "0008_iterations_aliases_sizes")]

    operations = [
        migrations.RemoveField(model_name="requirementsons", name="document"),
        migrations.AddField(
            model_name="requirementsons",
            name="document",
            field=models.GeneratedField(
                db_persist=True,
                expression=topics.models.StatementDocument(),
                output_field=django.contrib.postgres.search.SearchVectorField(null=True),
            ),
        ),
        on_postgresql(INDEX, NO_INDEX),
        migrations.RunPython(clean_references, migrations.RunPython.noop),
    ]
