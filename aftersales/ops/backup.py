"""Backup and restore of a whole instance: the database (every app's tables) and the uploaded files.

The archive is a plain tar:

    db/<app_label>.<model>.jsonl   Django's serialisation (JSON Lines, primary keys kept), one per model
    media/<name>                   every file of the default storage (MEDIA_ROOT, or the S3 bucket when
                                   AFTERSALES_STORAGE=s3), read and written through Django's storage API
    manifest.json                  written last: format version, created at, the code's version, the
                                   database vendor, the applied migrations per app, rows per model and
                                   the SHA-256 and size of every member

Backup reads every table inside one transaction (PostgreSQL: REPEATABLE READ, READ ONLY; SQLite: one
transaction), so the dump is one consistent snapshot; rows are streamed (iterator) into temporary files,
never held in memory. Primary keys are kept as they are, so natural keys are not needed: the restore
empties the freshly migrated tables (content types and permissions made by `migrate`) and loads the
archive's rows with their own keys, then resets the sequences (PostgreSQL).

Restore refuses (BackupRefused, exit 2) a damaged archive (naming the member), an archive made by
code with migrations this code does not have, and a database or file storage that is not empty. It
writes the files first, then loads the rows in one transaction; if anything fails the files it wrote
are deleted again (a restore killed in the middle leaves files behind: empty the storage and rerun).
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import io
import json
import os
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

import aftersales
from aftersales.core.refusal import Refused
from aftersales.ops.chains import chains

FORMAT = "aftersales-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 2000
# made by `migrate` in every new database; not data of the instance
GENERATED_BY_MIGRATE = {"contenttypes.contenttype", "auth.permission"}


class BackupRefused(Refused):
    """Bad input (exit 2): the message says what and where."""


@dataclass
class BackupResult:
    path: Path
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    bytes: int = 0


@dataclass
class RestoreResult:
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    migrated_after: list[str] = field(default_factory=list)


def dumped_models() -> list:
    """Every concrete, managed model of every installed app (dumpdata's choice), in a stable order."""
    out = [
        m
        for m in apps.get_models()
        if m._meta.managed and not m._meta.proxy and not m._meta.swapped and m._meta.db_table
    ]
    return sorted(out, key=lambda m: m._meta.label_lower)


def model_key(model) -> str:
    return model._meta.label_lower


def applied_migrations(connection) -> dict[str, list[str]]:
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return {}
    out: dict[str, list[str]] = {}
    for app, name in sorted(recorder.applied_migrations()):
        out.setdefault(app, []).append(name)
    return out


class ExactJSONEncoder(DjangoJSONEncoder):
    """Django's encoder cuts datetimes and times to milliseconds; a backup keeps every microsecond
    (hash chains cover the exact times)."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class _HashingWriter(io.RawIOBase):
    def __init__(self, f):
        self.f, self.sha, self.size = f, hashlib.sha256(), 0

    def writable(self):
        return True

    def write(self, b):
        self.sha.update(b)
        self.size += len(b)
        return self.f.write(b)


class _HashingReader(io.RawIOBase):
    """Reads through `f`, hashing what was read (tarfile reads a member's exact size from it)."""

    def __init__(self, f):
        self.f, self.sha, self.size = f, hashlib.sha256(), 0

    def readable(self):
        return True

    def read(self, n=-1):
        b = self.f.read(n)
        self.sha.update(b)
        self.size += len(b)
        return b


def stored_files(storage=None) -> Iterator[str]:
    """Every file name in the default storage (folder or bucket), walking its folders in name order."""
    storage = storage or default_storage

    def walk(prefix: str) -> Iterator[str]:
        try:
            folders, files = storage.listdir(prefix)
        except FileNotFoundError:  # a local storage whose folder does not exist yet
            return
        for name in sorted(files):
            yield f"{prefix}{name}"
        for folder in sorted(folders):
            yield from walk(f"{prefix}{folder}/")

    return walk("")


def _stored_sha256(storage, name: str) -> str:
    sha = hashlib.sha256()
    with storage.open(name, "rb") as f:
        while chunk := f.read(1 << 20):
            sha.update(chunk)
    return sha.hexdigest()


def _queryset(model, using: str):
    qs = model._base_manager.using(using).order_by(model._meta.pk.name)
    m2m = [f.name for f in model._meta.many_to_many if f.remote_field.through._meta.auto_created]
    if m2m:
        qs = qs.prefetch_related(*m2m)
    return qs


def _counting(iterable, counter: list[int]):
    for obj in iterable:
        counter[0] += 1
        yield obj


def _dump_database(workdir: Path, using: str) -> tuple[dict, dict, dict]:
    """Dump every table into workdir (one consistent snapshot). Returns (rows, members, migrations)."""
    connection = connections[using]
    rows, members = {}, {}
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql" and not _outer_atomic(connection):
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        migrations = applied_migrations(connection)
        for model in dumped_models():
            key = model_key(model)
            name = f"db/{key}.jsonl"
            counter = [0]
            with (workdir / name.replace("/", "__")).open("wb") as raw:
                writer = _HashingWriter(raw)
                text = io.TextIOWrapper(writer, encoding="utf-8", newline="\n", write_through=True)
                objects = _counting(_queryset(model, using).iterator(chunk_size=CHUNK), counter)
                serializers.serialize("jsonl", objects, stream=text, cls=ExactJSONEncoder)
                text.flush()
                text.detach()
            rows[key] = counter[0]
            members[name] = {"sha256": writer.sha.hexdigest(), "size": writer.size}
    return rows, members, migrations


def _outer_atomic(connection) -> bool:
    """True when the caller already holds a transaction (then it is the snapshot: tests, scripts)."""
    return len(connection.atomic_blocks) > 1


def backup(path: Path, *, using: str = DEFAULT_DB_ALIAS) -> BackupResult:
    """Write the archive to `path` (written beside it, then renamed: never a half archive at `path`)."""
    path = Path(path)
    if path.exists() and path.is_dir():
        raise BackupRefused(f"{path} is a folder; give the archive's file name (e.g. backup.tar)")
    if not path.parent.exists():
        raise BackupRefused(f"the folder {path.parent} does not exist")
    partial = path.with_name(path.name + ".partial")
    result = BackupResult(path=path)
    with tempfile.TemporaryDirectory(prefix="aftersales-backup-", dir=path.parent) as tmp:
        workdir = Path(tmp)
        rows, members, migrations = _dump_database(workdir, using)
        result.rows = rows
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
            for name in members:
                tar.add(workdir / name.replace("/", "__"), arcname=name, recursive=False)
                (workdir / name.replace("/", "__")).unlink()
            for stored in stored_files():
                name = f"media/{stored}"
                members[name] = _add_stored_file(tar, stored, name)
                result.files += 1
                result.bytes += members[name]["size"]
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "created_at": timezone.now().isoformat(),
                "aftersales_version": aftersales.__version__,
                "database": connections[using].vendor,
                "migrations": migrations,
                "rows": rows,
                "files": result.files,
                "members": members,
            }
            data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(timezone.now().timestamp()), 0o644
            tar.addfile(info, io.BytesIO(data))
    os.replace(partial, path)
    return result


def _add_stored_file(tar: tarfile.TarFile, stored: str, name: str) -> dict:
    """Copy one file of the default storage into the archive as `name`; its SHA-256 and size."""
    with default_storage.open(stored, "rb") as f:
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = f.size, int(timezone.now().timestamp()), 0o644
        reader = _HashingReader(f)
        tar.addfile(info, reader)
    return {"sha256": reader.sha.hexdigest(), "size": reader.size}


# ------------------------------------------------------------------------------------- restore


def _safe_member_name(name: str) -> bool:
    p = PurePosixPath(name)
    return not p.is_absolute() and ".." not in p.parts and name == p.as_posix() and name != ""


def read_manifest(tar: tarfile.TarFile, archive: Path) -> dict:
    try:
        member = tar.getmember(MANIFEST)
        manifest = json.loads(tar.extractfile(member).read().decode("utf-8"))
    except KeyError:
        raise BackupRefused(f"{archive} has no {MANIFEST}: it is not an aftersales backup") from None
    except (ValueError, UnicodeDecodeError, AttributeError):
        raise BackupRefused(f"{archive}: {MANIFEST} is damaged (not valid JSON)") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupRefused(f"{archive}: {MANIFEST} is not an aftersales backup manifest")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupRefused(
            f"{archive}: backup format version {manifest.get('format_version')!r}; "
            f"this version of aftersales reads version {FORMAT_VERSION}"
        )
    return manifest


def verify_archive(tar: tarfile.TarFile, archive: Path, manifest: dict) -> None:
    """Every member listed, present, regular and with its SHA-256; nothing else in the archive."""
    listed = manifest.get("members") or {}
    present = {}
    for m in tar.getmembers():
        if m.name == MANIFEST:
            continue
        if not _safe_member_name(m.name) or not m.isfile():
            raise BackupRefused(f"{archive}: member {m.name!r} is not a plain file with a safe name")
        if m.name not in listed:
            raise BackupRefused(f"{archive}: member {m.name} is not listed in the manifest")
        if m.name in present:
            raise BackupRefused(f"{archive}: member {m.name} appears twice")
        present[m.name] = m
    for name, expected in sorted(listed.items()):
        member = present.get(name)
        if member is None:
            raise BackupRefused(f"{archive}: member {name} is missing (the archive is incomplete)")
        sha = hashlib.sha256()
        f = tar.extractfile(member)
        try:
            while chunk := f.read(1 << 20):
                sha.update(chunk)
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise BackupRefused(f"{archive}: member {name} cannot be read ({exc})") from None
        if sha.hexdigest() != expected.get("sha256"):
            raise BackupRefused(f"{archive}: member {name} is damaged (its SHA-256 does not match the manifest)")


def _code_migrations() -> set[tuple[str, str]]:
    from django.db.migrations.loader import MigrationLoader

    return set(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def _check_migrations(manifest: dict, archive: Path) -> list[tuple[str, str]]:
    """The migration targets (app, last applied) the archive was made at; refuses unknown migrations."""
    known = _code_migrations()
    targets = []
    unknown = []
    for app, names in sorted((manifest.get("migrations") or {}).items()):
        for name in names:
            if (app, name) not in known:
                unknown.append(f"{app}.{name}")
    if unknown:
        raise BackupRefused(
            f"{archive} was made by a newer version of aftersales (migrations this code does not have: "
            f"{', '.join(unknown[:10])}); restore it with that version"
        )
    from django.db.migrations.loader import MigrationLoader

    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    for app, names in sorted((manifest.get("migrations") or {}).items()):
        applied = {(app, n) for n in names}
        leaves = [n for n in applied if not any(c in applied for c in graph.node_map[n].children if c[0] == app)]
        targets.extend(sorted(leaves))
    return targets


def database_is_empty(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """The tables holding rows (content types and permissions made by `migrate` do not count)."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    full = []
    for model in dumped_models():
        if model_key(model) in GENERATED_BY_MIGRATE or model._meta.db_table not in existing:
            continue
        if model._base_manager.using(using).exists():
            full.append(model._meta.db_table)
    return full


def _storage_described() -> str:
    location = getattr(default_storage, "bucket_name", None)
    return f"bucket {location}" if location else f"folder {settings.MEDIA_ROOT}"


def _migrate_to(targets: list[tuple[str, str]], using: str) -> None:
    from django.db.migrations.executor import MigrationExecutor

    connection = connections[using]
    executor = MigrationExecutor(connection)
    known_apps = {app for app, _ in targets}
    full_targets = list(targets) + [
        (app, None) for app in sorted(executor.loader.migrated_apps) if app not in known_apps
    ]
    plan = executor.migration_plan(full_targets)
    if any(backwards for _, backwards in plan):
        raise BackupRefused("the database is ahead of the archive's migrations; restore into an empty database")
    executor.migrate(full_targets, plan=plan)


def restore(archive: Path, *, using: str = DEFAULT_DB_ALIAS, stdout=None) -> RestoreResult:
    """Bring an archive back into an empty instance (see the module's docstring)."""
    from django.core.management import call_command
    from django.core.management.sql import sql_flush

    archive = Path(archive)
    if not archive.is_file():
        raise BackupRefused(f"{archive} does not exist or is not a file")
    try:
        tar = tarfile.open(archive, "r:")  # noqa: SIM115 - closed by the `with tar` below
    except (tarfile.TarError, OSError) as exc:
        raise BackupRefused(f"{archive} is not a readable tar archive ({exc})") from None
    result = RestoreResult()
    with tar:
        manifest = read_manifest(tar, archive)
        verify_archive(tar, archive, manifest)
        targets = _check_migrations(manifest, archive)
        full = database_is_empty(using)
        if full:
            raise BackupRefused(
                "the database is not empty (rows in "
                + ", ".join(full[:8])
                + ("…" if len(full) > 8 else "")
                + "); restore only into a new, empty database"
            )
        first = next(stored_files(), None)
        if first is not None:
            raise BackupRefused(
                f"the file storage ({_storage_described()}) is not empty (it holds {first}); restore only into an "
                "empty instance (an interrupted restore leaves files behind: empty it and restore again)"
            )

        # the files first, through the storage API; deleted again if anything below fails
        written: list[str] = []
        try:
            for name in sorted(manifest["members"]):
                if name.startswith("media/"):
                    written.append(_restore_file(tar, name, archive))
                    result.files += 1

            _migrate_to(targets, using)
            connection = connections[using]
            by_key = {model_key(m): m for m in dumped_models()}
            with transaction.atomic(using=using):
                connection.ops.execute_sql_flush(sql_flush(no_style(), connection, allow_cascade=True))
                for name in sorted(manifest["members"]):
                    if not name.startswith("db/"):
                        continue
                    key = name[len("db/") : -len(".jsonl")]
                    if key not in by_key:
                        raise BackupRefused(f"{archive}: member {name} is a model this code does not have")
                    stream = io.TextIOWrapper(tar.extractfile(name), encoding="utf-8")
                    n = 0
                    batch = []
                    for obj in serializers.deserialize("jsonl", stream, using=using, handle_forward_references=False):
                        batch.append(obj)
                        if len(batch) >= CHUNK:
                            n += _save(batch, using)
                    n += _save(batch, using)
                    expected = manifest["rows"].get(key)
                    if expected != n:
                        raise BackupRefused(f"{archive}: member {name} holds {n} rows, the manifest says {expected}")
                    result.rows[key] = n
                if connection.vendor == "postgresql":
                    sql = connection.ops.sequence_reset_sql(no_style(), list(by_key.values()))
                    with connection.cursor() as cursor:
                        for statement in sql:
                            cursor.execute(statement)
                connection.check_constraints()
            from django.contrib.contenttypes.models import ContentType

            ContentType.objects.clear_cache()
            # a newer code version than the archive's: bring the restored data forward
            before = applied_migrations(connection)
            call_command("migrate", database=using, interactive=False, verbosity=0, stdout=stdout)
            after = applied_migrations(connection)
            result.migrated_after = [
                f"{app}.{n}" for app, names in after.items() for n in names if n not in before.get(app, [])
            ]
        except BaseException:
            _delete_quietly(written)
            raise
    return result


def _restore_file(tar: tarfile.TarFile, name: str, archive: Path) -> str:
    """Write one media member to the default storage under its own name."""
    stored = name[len("media/") :]
    member = tar.getmember(name)
    with tar.extractfile(member) as src:
        content = File(src, name=stored)
        content.size = member.size
        saved = default_storage.save(stored, content)
    if saved != stored:
        default_storage.delete(saved)
        raise BackupRefused(f"{archive}: member {name} could not be stored under its own name (got {saved})")
    return saved


def _delete_quietly(names: list[str]) -> None:
    """Undo a failed restore's files (best effort: the restore's own error is the one to report)."""
    for stored in names:
        with contextlib.suppress(Exception):  # keep the original error
            default_storage.delete(stored)


def _save(batch: list, using: str) -> int:
    """Insert a batch of deserialised rows with their own keys (bulk where the model allows it)."""
    n = len(batch)
    if not n:
        return 0
    model = type(batch[0].object)
    if model._meta.parents or any(obj.m2m_data for obj in batch):
        for obj in batch:
            obj.save(using=using)
    else:
        # raw: the stored values as they are (bulk_create would stamp auto_now / auto_now_add fields)
        objs = [obj.object for obj in batch]
        fields = [f for f in model._meta.local_concrete_fields if not f.generated]
        size = max(1, connections[using].ops.bulk_batch_size(fields, objs) or len(objs))
        qs = model._base_manager.using(using)
        for start in range(0, len(objs), size):
            qs._insert(objs[start : start + size], fields=fields, raw=True, using=using)
    batch.clear()
    return n


# ------------------------------------------------------------------------------ fingerprints


def database_fingerprint(using: str = DEFAULT_DB_ALIAS) -> dict[str, dict]:
    """Rows and a SHA-256 of the content of every table (rows in key order, fields as Django serialises
    them, JSON with sorted keys): equal fingerprints mean equal data, whatever the database engine."""
    out = {}
    for model in dumped_models():
        key = model_key(model)
        if key in GENERATED_BY_MIGRATE:
            continue
        sha, n = hashlib.sha256(), 0
        for row in serializers.serialize("python", _queryset(model, using).iterator(chunk_size=CHUNK)):
            sha.update(json.dumps(row, default=_plain, sort_keys=True, ensure_ascii=False).encode())
            sha.update(b"\n")
            n += 1
        out[key] = {"rows": n, "sha256": sha.hexdigest()}
    return out


def _plain(value):
    """Exact text of a value for fingerprints (DjangoJSONEncoder would cut microseconds)."""
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def files_fingerprint() -> dict[str, str]:
    """SHA-256 of every file of the default storage (folder or bucket), by name."""
    return {name: _stored_sha256(default_storage, name) for name in stored_files()}


def chain_breaks() -> list[str]:
    """Every broken link of every hash chain (cases, certificates, appeals), as readable lines."""
    return [f"{chain.name} event {b.seq}: {b.reason}" for chain in chains() for b in chain.link_breaks]
