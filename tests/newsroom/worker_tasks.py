"""Tasks the worker fault tests enqueue in a worker of their own (see test_worker_faults.py)."""

import time

from django_tasks import task


@task()
def nap(seconds: float) -> str:
    time.sleep(seconds)
    return f"slept {seconds}"


@task()
def echo(value: int) -> int:
    return value
