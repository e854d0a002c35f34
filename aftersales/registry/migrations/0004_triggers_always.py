"""On PostgreSQL, the registry's notifying triggers fire ALWAYS: also for writers whose
session_replication_role is replica (bulk loaders, logical replication's apply), which skip
ordinary triggers and would otherwise change certificates without the web processes' memory
hearing of it (registry/memory.py). Nothing on SQLite."""

from django.db import migrations

TRIGGERS = [
    ("certificates_certificate", "aftersales_registry_update"),
    ("certificates_certificate", "aftersales_registry_delete"),
    ("certificates_certificate", "aftersales_registry_truncate"),
    ("registry_publication", "aftersales_registry_unpublish"),
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table, trigger in TRIGGERS:
            schema_editor.execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {trigger}")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table, trigger in TRIGGERS:
            schema_editor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_notify_unpublish")]

    operations = [migrations.RunPython(forward, backward)]
