"""Print the instance's fingerprint as JSON (run in a subprocess against another database):
rows and content hash per table, SHA-256 per media file, broken hash chains."""

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")

import django

django.setup()

from aftersales.ops.backup import chain_breaks, database_fingerprint, files_fingerprint  # noqa: E402

json.dump(
    {"tables": database_fingerprint(), "files": files_fingerprint(), "breaks": chain_breaks()},
    sys.stdout,
    ensure_ascii=False,
)
