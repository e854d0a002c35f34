"""A process killed (SIGKILL) in the middle of a write leaves no half-written state, and the job run
again succeeds. Each job runs in a subprocess against a file-backed SQLite database (and, when the
tests run on PostgreSQL, against a database of its own there); the test waits until the job has
started writing (its progress row or a line it prints), kills it, then looks at the database.

(a) a service-record import (`aftersales records import` on a large generated file)
(b) a committee decision, killed after the case's history event was written inside its transaction
(c) the final audit report, killed at the same point
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from aftersales.core.records import synthetic
from aftersales.core.records.mapping import get_mapping

from .helpers import PYTHON, ROOT, cli, env_for, fast_dir, on_postgres, postgres_admin, postgres_url

SCRIPTS = Path(__file__).with_name("fault_scripts.py")
BIG = 150_000  # work orders in the import file: several seconds of writing

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(not on_postgres(), reason="PostgreSQL run"))]


class Instance:
    """A prepared database (setup once per backend) and copies of it for each test."""

    def __init__(self, backend: str, base: Path):
        self.backend, self.base = backend, base
        self.template_db = f"test_ops_faults_{uuid.uuid4().hex[:8]}" if backend == "postgresql" else None
        self.template_file = base / "template.sqlite3"
        self.copies: list[str] = []
        env = self._env(self._url_of(self.template_db or "template"))
        if self.template_db:
            postgres_admin(f'CREATE DATABASE "{self.template_db}"')
        done = subprocess.run(
            [PYTHON, str(SCRIPTS), "setup"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=900
        )
        assert done.returncode == 0, done.stderr[-3000:]
        self.ids = json.loads(done.stdout.strip().splitlines()[-1])

    def _url_of(self, name: str) -> str:
        if self.backend == "postgresql":
            return postgres_url(name)
        return f"sqlite:///{self.base / (name + '.sqlite3')}"

    def _env(self, url: str) -> dict:
        return env_for(url, self.base)

    def fresh(self) -> tuple[str, dict]:
        """A new database holding the prepared state: (name, environment for the CLI)."""
        name = f"copy_{uuid.uuid4().hex[:8]}"
        if self.backend == "postgresql":
            name = f"test_ops_faults_{name}"
            postgres_admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template_db}"')
        else:
            shutil.copyfile(self.template_file, self.base / f"{name}.sqlite3")
        self.copies.append(name)
        env = self._env(self._url_of(name))
        # each copy is an instance of its own: the signed chain heads of the template, then its own
        log = self.base / f"{name}.checkpoints.jsonl"
        if (self.base / "chain-checkpoints.jsonl").exists():
            shutil.copyfile(self.base / "chain-checkpoints.jsonl", log)
        env["CHAIN_CHECKPOINT_FILE"] = str(log)
        return name, env

    def query(self, name: str, sql: str) -> list[tuple]:
        """Read the database directly, as another process does (never through the job's connection)."""
        if self.backend == "postgresql":
            import psycopg

            with psycopg.connect(postgres_url(name)) as conn:
                return conn.execute(sql).fetchall()
        conn = sqlite3.connect(self.base / f"{name}.sqlite3", timeout=0.2)
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()

    def close(self) -> None:
        if self.backend == "postgresql":
            for name in [*self.copies, self.template_db]:
                postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture(scope="module", params=BACKENDS)
def instance(request, tmp_path_factory):
    inst = Instance(request.param, fast_dir(tmp_path_factory.mktemp("faults")))
    yield inst
    inst.close()


def _start(args: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(args, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _kill_when(proc: subprocess.Popen, ready, timeout: float = 300) -> None:
    """Poll `ready()` until it is true, then SIGKILL the process (fails if it finished first)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the job finished before it could be killed: " + proc.stderr.read()[-2000:]
        try:
            if ready():
                break
        except (sqlite3.OperationalError, Exception) as exc:  # locked while the job writes: poll again
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
        time.sleep(0.05)
    else:
        proc.kill()
        pytest.fail("the job never started writing")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def _chains_intact(env: dict) -> None:
    done = cli(["verify-chain"], env)
    assert done.returncode == 0, done.stdout + done.stderr


# ------------------------------------------------------------------------------ (a) import


@pytest.fixture(scope="module")
def big_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("big") / "work-orders.csv"
    path.write_bytes(synthetic.to_csv(synthetic.work_orders(BIG, seed=11), get_mapping("crm-work-orders-gbk")))
    return path


def test_a_killed_import_writes_no_record_and_runs_again(instance, big_file):
    name, env = instance.fresh()
    args = ["records", "import", str(big_file), "--enterprise", instance.ids["enterprise"]]
    args += ["--kind", "work_order", "--mapping", "crm-work-orders-gbk"]
    proc = _start([PYTHON, "-m", "aftersales.cli", *args], env)

    def writing() -> bool:
        return instance.query(name, "SELECT phase FROM records_recordimport") == [("writing",)]

    _kill_when(proc, writing)
    time.sleep(0.2)  # nothing else holds the database now
    records = instance.query(name, "SELECT count(*) FROM records_workorder")[0][0]
    events = instance.query(name, "SELECT count(*) FROM records_statusevent")[0][0]
    logged = instance.query(name, "SELECT count(*) FROM events_event WHERE action = 'records.imported'")[0][0]
    # all or nothing: the kill came while the records' transaction was open, so nothing of it is there
    assert (records, events, logged) == (0, 0, 0)
    # the job's own row says it was running and is not done (the worker's bookkeeping, not data)
    assert instance.query(name, "SELECT status FROM records_recordimport") == [("running",)]
    _chains_intact(env)

    again = cli([*args, "--json"], env)
    assert again.returncode == 0, again.stdout + again.stderr
    body = json.loads(again.stdout)
    assert body["inserted"] == BIG and body["updated"] == 0
    assert instance.query(name, "SELECT count(*) FROM records_workorder")[0][0] == BIG
    # and once more: idempotent, nothing changes
    third = json.loads(cli([*args, "--json"], env).stdout)
    assert (third["inserted"], third["updated"], third["unchanged"]) == (0, 0, BIG)
    _chains_intact(env)


# ------------------------------------------------------------------ (b) decision, (c) report


def _case(instance, name: str, case_id: int) -> tuple:
    sql = f"SELECT status, event_count, head_hash FROM certification_case WHERE id = {case_id}"
    return instance.query(name, sql)[0]


def _count(instance, name: str, table: str, where: str = "") -> int:
    return instance.query(name, f"SELECT count(*) FROM {table} {where}")[0][0]


def _script(kind: str, case_id: int, env: dict) -> subprocess.CompletedProcess:
    args = [PYTHON, str(SCRIPTS), kind, str(case_id)]
    return subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)


def _kill_in_the_middle(kind: str, case_id: int, env: dict) -> None:
    """Run the service; it prints WRITING after writing the case's event inside its transaction."""
    proc = _start([PYTHON, str(SCRIPTS), kind, str(case_id)], {**env, "FAULT_PAUSE": "1"})
    _kill_when(proc, lambda: proc.stdout.readline().strip() == "WRITING")


def test_a_killed_decision_leaves_the_case_reported_and_runs_again(instance):
    case_id = instance.ids["to_decide"]
    name, env = instance.fresh()
    before = _case(instance, name, case_id)
    _kill_in_the_middle("decision", case_id, env)
    assert _case(instance, name, case_id) == before and before[0] == "reported"
    assert _count(instance, name, "audits_decision") == 0
    assert _count(instance, name, "certification_caseevent", f"WHERE case_id = {case_id}") == before[1]
    _chains_intact(env)

    done = _script("decision", case_id, env)
    assert done.returncode == 0, done.stderr
    status, count, _ = _case(instance, name, case_id)
    assert (status, count) == ("decided", before[1] + 2)  # the member's vote, then the decision
    assert _count(instance, name, "audits_decision") == 1
    _chains_intact(env)
    # a retry of a job that did finish is refused, not doubled
    assert _script("decision", case_id, env).returncode == 2
    assert _count(instance, name, "audits_decision") == 1


def test_a_killed_report_issue_leaves_no_report_and_runs_again(instance):
    case_id = instance.ids["to_report"]
    name, env = instance.fresh()
    before = _case(instance, name, case_id)
    assessments = _count(instance, name, "assessments_assessment")
    reports = f"WHERE audit_id IN (SELECT id FROM audits_audit WHERE case_id = {case_id})"
    _kill_in_the_middle("report", case_id, env)
    assert _case(instance, name, case_id) == before and before[0] == "audit"
    assert _count(instance, name, "audits_auditreport", reports) == 0
    # the assessment is frozen inside the same transaction: not frozen now
    assert _count(instance, name, "assessments_assessment") == assessments
    _chains_intact(env)

    done = _script("report", case_id, env)
    assert done.returncode == 0, done.stderr
    assert _case(instance, name, case_id)[:2] == ("reported", before[1] + 1)
    assert _count(instance, name, "audits_auditreport", reports) == 1
    _chains_intact(env)
