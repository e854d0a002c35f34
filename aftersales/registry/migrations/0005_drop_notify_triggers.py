"""On PostgreSQL, drop the triggers and functions that told the web processes' registry memory of
every change (0002–0004): the registry now keys its cached answers by the certificate's head, so no
one listens any more. Nothing on SQLite. Going back recreates them."""

from importlib import import_module

from django.db import migrations

DROP = """
DROP TRIGGER IF EXISTS aftersales_registry_update ON certificates_certificate;
DROP TRIGGER IF EXISTS aftersales_registry_delete ON certificates_certificate;
DROP TRIGGER IF EXISTS aftersales_registry_truncate ON certificates_certificate;
DROP TRIGGER IF EXISTS aftersales_registry_unpublish ON registry_publication;
DROP FUNCTION IF EXISTS aftersales_registry_notify();
DROP FUNCTION IF EXISTS aftersales_registry_notify_all();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in ("0002_notify_changes", "0003_notify_unpublish", "0004_triggers_always"):
            import_module(f"aftersales.registry.migrations.{name}").forward(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("registry", "0004_triggers_always")]

    operations = [migrations.RunPython(forward, backward)]
