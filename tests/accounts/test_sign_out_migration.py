"""Upgrading signs everyone out once: a session from before the per-request two-factor check has no
sign-in label, so it must not survive the migration that introduced the check's companion."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_upgrade_deletes_sessions_opened_before_it():
    executor = MigrationExecutor(connection)
    before = [("accounts", "0005_password_reset_requests")]
    executor.migrate(before)
    store = SessionStore()
    store["_auth_user_id"] = "1"
    store.create()
    assert Session.objects.count() == 1
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert Session.objects.count() == 0
