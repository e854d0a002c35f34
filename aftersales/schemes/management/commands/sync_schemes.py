from django.core.management.base import BaseCommand

from aftersales.schemes.services import scheme_sync_shipped


class Command(BaseCommand):
    help = "Register the schemes shipped with the software (idempotent)."

    def handle(self, *args, **options):
        for reg in scheme_sync_shipped(by_label="command:sync_schemes"):
            state = "registered" if reg.created else "already registered"
            self.stdout.write(f"{reg.version.scheme_id} {reg.version.version} {reg.version.sha256[:12]} {state}")
