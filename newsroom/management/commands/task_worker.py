"""`manage.py task_worker`: django-tasks-db's `db_worker` that outlives the database going away.

The stock worker exits on the first `OperationalError` (a PostgreSQL restart, a failover, a dropped connection),
and nothing brings it back: emails, renditions and newsletter batches stop until someone notices. This one waits
for the database, reconnects and goes on. A task that the outage interrupted is put back in the queue instead of
being recorded as failed (or left "running" for good when even that record could not be written): every task here
may run again (batches claim their rows, renditions overwrite, a signup's email is at worst sent twice).

Under systemd (`deploy/systemd/`) it reports readiness and pings the service watchdog (`WatchdogSec`) at every
turn of its loop, so a worker that hangs is restarted; outside systemd that costs nothing.
"""

import logging
import os
import random
import socket
import time

from django.core.management.base import CommandError
from django.db import close_old_connections, connections
from django.db.utils import InterfaceError, OperationalError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

logger = logging.getLogger("django_tasks_db")

DATABASE_GONE = (OperationalError, InterfaceError)
# How often to try the database while it is away: its return is noticed within this.
RECONNECT_SECONDS = 0.5
# A task interrupted by outages this many times is left failed: the error is then likely its own.
MAX_REQUEUES = 5


def notify(state: str) -> None:
    """sd_notify(3) without a dependency: one datagram to the socket systemd names, if it names one."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return
    if address.startswith("@"):
        address = "\0" + address[1:]
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(address)
            sock.sendall(state.encode())
        except OSError as error:
            logger.warning("Telling systemd %r failed: %s", state, error)


class ResilientWorker(Worker):
    def run(self) -> None:
        logger.info("Starting worker worker_id=%s queues=%s", self.worker_id, ",".join(self.queue_names))
        notify("READY=1")
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # noqa: S311 - several workers started at once do not poll in step
        while self.running:
            try:
                if self.turn():
                    return
            except DATABASE_GONE as error:
                if is_locked_database_exception(error):
                    time.sleep(self.interval)  # SQLite busy: it unlocks soon
                    continue
                self.wait_for_database(error)

    def turn(self) -> bool:
        """One pass of db_worker's loop (django_tasks_db's Worker.run, whose `raise` ends the process); True when
        a --batch or --max-tasks worker is done."""
        notify("WATCHDOG=1")
        close_old_connections()
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            task_result = tasks.get_locked()
            if task_result is not None:
                task_result.claim(self.worker_id)
        if task_result is not None:
            self.run_task(task_result)
        if self.batch and task_result is None:
            logger.info("No more tasks to run for worker_id=%s - exiting gracefully.", self.worker_id)
            return True
        if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
            logger.info("Run maximum tasks (%d) on worker=%s - exiting gracefully.", self._run_tasks, self.worker_id)
            return True
        close_old_connections()
        if self.running and not task_result:
            time.sleep(self.interval)
        return False

    def run_task(self, db_task_result: DBTaskResult) -> None:
        try:
            super().run_task(db_task_result)
        except DATABASE_GONE as error:
            # The task's end could not even be written down: the database went away while it ran.
            self.wait_for_database(error)
            self.requeue(db_task_result)
            return
        failed_for_the_database = db_task_result.exception_class_path in (
            f"{cls.__module__}.{cls.__qualname__}" for cls in DATABASE_GONE
        )
        if db_task_result.status == TaskResultStatus.FAILED and failed_for_the_database:
            self.requeue(db_task_result)

    def requeue(self, db_task_result: DBTaskResult) -> None:
        if len(db_task_result.worker_ids) >= MAX_REQUEUES:
            logger.error("Task id=%s failed on the database %d times; left failed.", db_task_result.id, MAX_REQUEUES)
            return
        DBTaskResult.objects.filter(pk=db_task_result.pk).update(
            status=TaskResultStatus.READY,
            started_at=None,
            finished_at=None,
            exception_class_path="",
            traceback="",
            return_value=None,
        )
        logger.warning("Task id=%s was interrupted by the database going away; queued again.", db_task_result.id)

    def wait_for_database(self, error: Exception) -> None:
        logger.warning("The database went away (%s); reconnecting.", (str(error).strip().splitlines() or [""])[0])
        started = time.monotonic()
        while self.running:
            notify("WATCHDOG=1")  # waiting for the database is this worker's job now, not a hang
            connections.close_all()
            try:
                connections["default"].ensure_connection()
            except DATABASE_GONE:
                time.sleep(RECONNECT_SECONDS)
                continue
            logger.warning("The database is back after %.1f s; the worker goes on.", time.monotonic() - started)
            return


class Command(DbWorkerCommand):
    help = (
        "Run the database task worker (django-tasks-db's db_worker, same options) so that it survives database "
        "restarts: it waits, reconnects and goes on."
    )

    def handle(
        self,
        *,
        verbosity,
        queue_name,
        interval,
        batch,
        backend_name,
        startup_delay,
        reload,
        max_tasks,
        worker_id,
        exclude_queues,
        **options,
    ):
        # As db_worker's handle(), with this module's worker.
        self.configure_logging(verbosity)
        if reload and batch:
            reload = False
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ResilientWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
