from django.core.management.base import BaseCommand

from aftersales.schemes.services import scheme_sync_shipped


class Command(BaseCommand):
    help = "Load the demo data (idempotent). For now: the shipped schemes."

    def handle(self, *args, **options):
        for reg in scheme_sync_shipped(by_label="command:load_demo"):
            state = "registered" if reg.created else "already registered"
            self.stdout.write(f"scheme {reg.version.scheme_id} {reg.version.version}: {state}")
        self.stdout.write("Demo data loaded. (Demo users and enterprises arrive with the web platform.)")
