"""On PostgreSQL, tell the web processes' registry memory (registry/memory.py) of every change:
NOTIFY aftersales_registry with the certificate's number when its head hash or number changes or
the row is deleted, '*' when the table is truncated. Nothing on SQLite (the memory is not used)."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION aftersales_registry_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM pg_notify('aftersales_registry', '*');
        RETURN NULL;
    END IF;
    PERFORM pg_notify('aftersales_registry', OLD.number);
    IF TG_OP = 'UPDATE' AND NEW.number IS DISTINCT FROM OLD.number THEN
        PERFORM pg_notify('aftersales_registry', NEW.number);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER aftersales_registry_update AFTER UPDATE ON certificates_certificate FOR EACH ROW
    WHEN (OLD.head_hash IS DISTINCT FROM NEW.head_hash OR OLD.number IS DISTINCT FROM NEW.number)
    EXECUTE FUNCTION aftersales_registry_notify();
CREATE TRIGGER aftersales_registry_delete AFTER DELETE ON certificates_certificate FOR EACH ROW
    EXECUTE FUNCTION aftersales_registry_notify();
CREATE TRIGGER aftersales_registry_truncate AFTER TRUNCATE ON certificates_certificate FOR EACH STATEMENT
    EXECUTE FUNCTION aftersales_registry_notify();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS aftersales_registry_update ON certificates_certificate;
DROP TRIGGER IF EXISTS aftersales_registry_delete ON certificates_certificate;
DROP TRIGGER IF EXISTS aftersales_registry_truncate ON certificates_certificate;
DROP FUNCTION IF EXISTS aftersales_registry_notify();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0001_publication"),
        ("certificates", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, backward)]
