from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from aftersales.core.problems import ProblemsError
from aftersales.schemes.services import scheme_register


class Command(BaseCommand):
    help = "Validate a certification body's scheme file and register it (idempotent on its SHA-256)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from exc
        try:
            reg = scheme_register(data=data, by_label="command:register_scheme")
        except ProblemsError as exc:
            raise CommandError("\n".join(p.located("en") for p in exc.problems)) from exc
        state = "registered" if reg.created else "already registered"
        self.stdout.write(f"{reg.version.scheme_id} {reg.version.version} {reg.version.sha256[:12]} {state}")
