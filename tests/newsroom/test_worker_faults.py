"""The task worker against a PostgreSQL that goes away: a cluster of the test's own (initdb, pg_ctl, a private
port and folder; never the machine's shared server), restarted while `manage.py task_worker` runs a task."""

import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from tests.pgcluster import Cluster, server_programs

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.postgres


@pytest.fixture
def cluster():
    if server_programs() is None:
        pytest.fail("PostgreSQL's server programs are needed in /usr/lib/postgresql/<version>/bin (Debian: postgresql)")
    cluster = Cluster()
    try:
        cluster.create()
        yield cluster
    finally:
        cluster.remove()


def app_env(cluster) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_"))}
    return env | {
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": cluster.url(),
        "NEWSROOM_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
    }


def manage(env, *args):
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    return done


def enqueue(env, code: str):
    manage(env, "shell", "-c", f"from tests.newsroom import worker_tasks as t; {code}")


def task_states(cluster) -> list[tuple[str, str]]:
    with psycopg.connect(cluster.url()) as connection:
        return connection.execute(
            "SELECT task_path, status FROM django_tasks_database_dbtaskresult ORDER BY enqueued_at"
        ).fetchall()


def wait_for(condition, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_the_task_worker_carries_on_through_a_database_restart(cluster):
    env = app_env(cluster)
    manage(env, "migrate", "django_tasks_database", "-v0")
    enqueue(env, "t.nap.enqueue(3)")
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "task_worker", "--queue-name", "*", "--no-reload", "--no-startup-delay",
         "--interval", "0.2"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_for(lambda: ("tests.newsroom.worker_tasks.nap", "RUNNING") in task_states(cluster), timeout=30,
                 what="the worker to start the task")  # fmt: skip

        cluster.stop()  # while the task runs: its end cannot be recorded, and the worker's connection is gone
        time.sleep(2)
        assert worker.poll() is None
        cluster.start()
        enqueue(env, "[t.echo.enqueue(n) for n in range(3)]")

        wait_for(lambda: {status for _, status in task_states(cluster)} == {"SUCCESSFUL"}, timeout=30,
                 what="every task to succeed after the restart")  # fmt: skip
        assert worker.poll() is None, worker.stdout.read().decode()
        assert len(task_states(cluster)) == 4
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
    assert "The database is back" in output.decode()
