"""Signs everyone out once: sessions opened before two-factor was checked on every request carry no
sign-in label, and the middleware would let them keep CB powers without a code (issue 21 item 4)."""

from django.db import migrations


def sign_out_everyone(apps, schema_editor):
    apps.get_model("sessions", "Session").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_password_reset_requests"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(sign_out_everyone, migrations.RunPython.noop)]
