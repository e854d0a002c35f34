from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load the demo data (idempotent). For now: the shipped schemes."

    def handle(self, *args, **options):
        call_command("sync_schemes", stdout=self.stdout)
        self.stdout.write("Demo data loaded. Demo logins: none yet (the scheme pages are public).")
