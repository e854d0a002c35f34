"""Appeal histories become hash chains like case and certificate histories: each event gets the
hash of the one before it and its own; the appeal keeps the head. Existing events are chained in
their order (`seq`), with the payload `AppealEvent.payload` has at this migration."""

import hashlib
import json

from django.db import migrations, models

GENESIS = "0" * 64


def _hash(prev: str, payload: dict) -> str:
    body = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()
    return hashlib.sha256(prev.encode("ascii") + b"\n" + body).hexdigest()


def chain_existing(apps, schema_editor):
    Appeal = apps.get_model("appeals", "Appeal")
    AppealEvent = apps.get_model("appeals", "AppealEvent")
    for appeal in Appeal.objects.order_by("pk").iterator():
        prev, last = GENESIS, None
        for event in AppealEvent.objects.filter(appeal=appeal).order_by("seq"):
            payload = {
                "appeal": appeal.reference,
                "seq": event.seq,
                "at": event.at.isoformat(),
                "actor": event.actor_label,
                "action": event.action,
                "from": event.from_status,
                "to": event.to_status,
                "reason": event.reason,
                "data": event.data,
                "public": event.public,
            }
            event.prev_hash, event.hash = prev, _hash(prev, payload)
            event.save(update_fields=["prev_hash", "hash"])
            prev, last = event.hash, event
        appeal.head_hash = last.hash if last else ""
        appeal.save(update_fields=["head_hash"])


class Migration(migrations.Migration):
    dependencies = [("appeals", "0001_appeals")]

    operations = [
        migrations.AddField(model_name="appeal", name="head_hash", field=models.CharField(blank=True, max_length=64)),
        migrations.AddField(
            model_name="appealevent",
            name="prev_hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="appealevent",
            name="hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="appealevent", name="hash", field=models.CharField(max_length=64, unique=True)
        ),
    ]
