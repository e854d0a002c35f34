"""The registry as published: each certificate's public record rendered once per change.

A tender evaluator's lookup by number is the registry's hot path (bench/registry_bench.py). Rather
than read the certificate, its version, events and surveillances and render them on every lookup,
the registry keeps what it answers — the JSON and the page in each language — as one row per
(kind, number), written after every change the certificate services commit (publish.py). A row is
answered only while it is current: its `stamp` equals the certificate's `head_hash` (every change
appends an event, which moves the head) and its `release` equals this code's (templates,
translations, static files); otherwise the answer is rendered again and the row rewritten. So a
missed or failed publication costs one render, never a stale answer.
"""

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
