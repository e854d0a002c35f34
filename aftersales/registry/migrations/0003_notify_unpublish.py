"""On PostgreSQL, tell the web processes' registry memory (registry/memory.py) to forget everything
when published answers are deleted (`aftersales registry publish --all` renders every certificate
again without its head moving, so the certificates' trigger would not notify). Statement level: one
notification per DELETE or TRUNCATE, however many rows. Nothing on SQLite."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION aftersales_registry_notify_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('aftersales_registry', '*');
    RETURN NULL;
END
$$;
CREATE TRIGGER aftersales_registry_unpublish AFTER DELETE OR TRUNCATE ON registry_publication
    FOR EACH STATEMENT EXECUTE FUNCTION aftersales_registry_notify_all();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS aftersales_registry_unpublish ON registry_publication;
DROP FUNCTION IF EXISTS aftersales_registry_notify_all();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_notify_changes")]

    operations = [migrations.RunPython(forward, backward)]
