"""Uploaded files in S3-compatible object storage (AFTERSALES_STORAGE=s3, django-storages): moto's S3
server on a free loopback port stands in for the bucket. Uploads go through the services into the
bucket (private, nothing under MEDIA_ROOT), downloads stream from it through the access-checking views
(404 to a stranger), and a backup made from one bucket restores into another (a second instance in a
subprocess, configured only by the environment) with every row, file and hash chain intact."""

from __future__ import annotations

import shutil
import sys
import uuid
from pathlib import Path

import pytest

pytest.importorskip("moto", reason="moto is not installed (the dev extra: pip install -e '.[dev]')")
pytest.importorskip("storages", reason="django-storages is not installed (the s3 extra)")
boto3 = pytest.importorskip("boto3", reason="boto3 is not installed (the s3 extra)")

from django.core.exceptions import ImproperlyConfigured  # noqa: E402
from django.core.files.storage import default_storage  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.urls import reverse  # noqa: E402
from moto.server import ThreadedMotoServer  # noqa: E402

from aftersales.assessments.evidence import evidence_add  # noqa: E402
from aftersales.certification.materials import material_upload  # noqa: E402
from aftersales.ops.backup import backup, chain_breaks, database_fingerprint, files_fingerprint  # noqa: E402
from aftersales.settings import file_storage  # noqa: E402
from tests.certificates.factories import issued  # noqa: E402
from tests.certification.helpers import make_case  # noqa: E402

from .helpers import cli, env_for, evidence_files_add, fast_dir, fingerprint  # noqa: E402

REGION = "cn-north-1"
KEY_ID, SECRET = "test-key-id", "test-secret"  # moto accepts any


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def _s3_environ(endpoint: str, bucket: str) -> dict:
    return {
        "AFTERSALES_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": KEY_ID,
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_S3_REGION_NAME": REGION,
        "AWS_S3_ADDRESSING_STYLE": "path",
    }


def _client(endpoint: str):
    return boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET, region_name=REGION
    )


def _new_bucket(endpoint: str) -> str:
    name = f"aftersales-{uuid.uuid4().hex[:12]}"
    _client(endpoint).create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    return name


def _keys(endpoint: str, bucket: str) -> list[str]:
    pages = _client(endpoint).get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return sorted(o["Key"] for page in pages for o in page.get("Contents", []))


@pytest.fixture
def bucket(settings, s3_endpoint):
    """The default storage switched to a new, empty bucket, exactly as the settings build it."""
    name = _new_bucket(s3_endpoint)
    settings.STORAGES = {**settings.STORAGES, "default": file_storage(_s3_environ(s3_endpoint, name))}
    assert type(default_storage._setup() or default_storage._wrapped).__name__ == "S3Storage"
    return name


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


# ----------------------------------------------------------------------------------------- settings


def test_the_settings_name_every_missing_variable():
    with pytest.raises(ImproperlyConfigured) as exc:
        file_storage({"AFTERSALES_STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": "b"})
    assert str(exc.value) == (
        "AFTERSALES_STORAGE=s3 needs AWS_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, "
        "AWS_S3_REGION_NAME in the environment"
    )
    with pytest.raises(ImproperlyConfigured, match="must be 'local' or 's3'"):
        file_storage({"AFTERSALES_STORAGE": "minio"})
    assert file_storage({}) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_the_settings_say_when_django_storages_is_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "storages", None)
    monkeypatch.setitem(sys.modules, "storages.backends.s3", None)
    with pytest.raises(ImproperlyConfigured, match=r"needs django-storages and boto3 \(pip install"):
        file_storage(_s3_environ("http://127.0.0.1:9", "b"))


def test_the_storage_is_private_and_never_signs_links(s3_endpoint):
    options = file_storage(_s3_environ(s3_endpoint, "b"))["OPTIONS"]
    assert options["default_acl"] is None and options["querystring_auth"] is False
    assert options["file_overwrite"] is False


def test_a_process_does_not_start_with_an_incomplete_s3_configuration(tmp_path):
    env = env_for(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path)
    env.update(AFTERSALES_STORAGE="s3", AWS_STORAGE_BUCKET_NAME="b")
    for name in ("AWS_S3_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_S3_REGION_NAME"):
        env.pop(name, None)
    done = cli(["backup", "-o", str(tmp_path / "x.tar")], env)
    assert done.returncode != 0
    assert "AFTERSALES_STORAGE=s3 needs AWS_S3_ENDPOINT_URL" in done.stdout + done.stderr


# ------------------------------------------------------------------------------ uploads and downloads


def test_evidence_goes_into_the_bucket_and_back_only_through_the_view(world, bucket, s3_endpoint, client, settings):
    body = b"%PDF-1.4 organisation chart " + bytes(range(256)) * 64
    evidence = evidence_add(
        assessment=world["assessment"],
        item_code="5.1.1.1",
        upload=SimpleUploadedFile("组织机构图.pdf", body),
        by=world["people"]["ent_admin"],
    )
    assert _keys(s3_endpoint, bucket) == [evidence.file.name]
    assert not Path(settings.MEDIA_ROOT).exists()
    acl = _client(s3_endpoint).get_object_acl(Bucket=bucket, Key=evidence.file.name)
    assert [g["Permission"] for g in acl["Grants"]] == ["FULL_CONTROL"]  # the owner only
    assert all(g["Grantee"].get("Type") == "CanonicalUser" for g in acl["Grants"])

    url = reverse("evidence_download", args=[world["assessment"].pk, evidence.pk])
    client.force_login(world["people"]["ent_admin"])
    response = client.get(url)
    assert response.status_code == 200
    assert _body(response) == body
    assert response["Content-Length"] == str(len(body))
    client.force_login(world["people"]["other_admin"])
    assert client.get(url).status_code == 404


def test_case_materials_go_into_the_bucket_and_come_back_through_the_view(world, bucket, s3_endpoint, client):
    case = make_case(world, complete=False)
    body = b"%PDF-1.4 business licence"
    material = material_upload(
        case=case,
        material_type="business_licence",
        upload=SimpleUploadedFile("营业执照.pdf", body),
        by=world["people"]["ent_admin"],
    )
    assert material.file.name in _keys(s3_endpoint, bucket)
    url = reverse("case_material_download", args=[case.pk, material.pk])
    client.force_login(world["people"]["ent_admin"])
    response = client.get(url)
    assert response.status_code == 200 and _body(response) == body
    client.force_login(world["people"]["other_admin"])
    assert client.get(url).status_code == 404


# ------------------------------------------------------------------------------------ backup, restore


def test_backup_and_restore_round_trip_from_one_bucket_into_another(world, bucket, s3_endpoint, tmp_path):
    issued(world)
    evidence_files_add(world)
    source = {"tables": database_fingerprint(), "files": files_fingerprint(), "breaks": chain_breaks()}
    assert len(source["files"]) >= 2 and set(source["files"]) == set(_keys(s3_endpoint, bucket))
    archive = tmp_path / "backup.tar"
    result = backup(archive)
    assert result.files == len(source["files"])

    target_bucket = _new_bucket(s3_endpoint)
    target_dir = fast_dir(tmp_path)
    try:
        _restore_into(archive, source, s3_endpoint, target_bucket, target_dir, tmp_path)
    finally:
        shutil.rmtree(target_dir, ignore_errors=True)


def _restore_into(archive: Path, source: dict, s3_endpoint: str, target_bucket: str, target_dir: Path, tmp_path):
    env = env_for(f"sqlite:///{target_dir / 'restored.sqlite3'}", target_dir)
    env.update(_s3_environ(s3_endpoint, target_bucket))
    done = cli(["restore", str(archive)], env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "hash chains intact" in done.stdout
    assert _keys(s3_endpoint, target_bucket) == sorted(source["files"])
    assert not (target_dir / "media").exists()

    target = fingerprint(env)
    assert target["breaks"] == []
    assert target["tables"] == source["tables"]
    assert target["files"] == source["files"]

    # a bucket that already holds files is refused, naming the bucket; nothing is written
    other_dir = tmp_path / "other"
    env2 = env_for(f"sqlite:///{other_dir / 'db.sqlite3'}", other_dir)
    env2.update(_s3_environ(s3_endpoint, target_bucket))
    again = cli(["restore", str(archive)], env2)
    assert again.returncode == 2, again.stdout + again.stderr
    assert f"bucket {target_bucket}) is not empty" in again.stderr
