"""The registry's stored answers: one row per kind and number, answered only for the head and
release it was rendered from (publish.py; docs/certificates.md, "The public registry")."""

from __future__ import annotations

from django.db import models

from aftersales.certificates.models import Certificate


class Publication(models.Model):
    key = models.CharField(primary_key=True, max_length=100)  # "<kind>|<number>", kind: json, html:<language>
    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="+")
    stamp = models.CharField(max_length=64)  # the certificate's head_hash the answer was rendered from
    release = models.CharField(max_length=16)  # publish.RELEASE when it was rendered
    body = models.TextField()  # with publish.AS_OF where the time of reading goes
    published_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.key
