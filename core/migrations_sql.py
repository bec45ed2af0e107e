"""SQL that migrations run on PostgreSQL only (extensions, text search,
indexes SQLite has no equivalent for)."""

from __future__ import annotations

from django.db import migrations


def on_postgresql(forward: list[str], backward: list[str]) -> migrations.RunPython:
    """A migration operation running ``forward`` (``backward`` when reversed)
    statement by statement on PostgreSQL, and nothing elsewhere."""

    def run(statements):
        def apply(apps, schema_editor):
            if schema_editor.connection.vendor != "postgresql":
                return
            for statement in statements:
                schema_editor.execute(statement)

        return apply

    return migrations.RunPython(run(forward), run(backward))
