"""Where the runs of a sweep execute: in this process, in local processes, or on a Dask cluster.

Every executor takes the same picklable tasks and yields `(order, rows)` results as they
complete; the caller sorts them, so the table does not depend on the executor. Dask is
imported only when a scheduler address is given (`pip install upgrade-sim[distributed]`).
"""
from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, Protocol

from sim.errors import InputError
from sim.sweep.task import RunTask, run_task

__all__ = ["Executor", "InProcess", "LocalProcesses", "DaskCluster", "make_executor", "SCHEDULER_ENV"]

#: Environment variable naming a Dask scheduler when `--scheduler` is not given.
SCHEDULER_ENV = "UPGRADE_SIM_SCHEDULER"
#: How long to try reaching a Dask scheduler before giving up.
CONNECT_TIMEOUT = "10s"

Result = tuple[int, list[dict[str, Any]]]


class Executor(Protocol):
    """Runs tasks and yields their results in completion order."""

    name: str
    workers: int

    def run(self, tasks: list[RunTask]) -> Iterator[Result]:
        """Yield `(order, rows)` for every task, as each completes."""
        ...

    def close(self) -> None:
        """Release what the executor holds (a cluster connection)."""
        ...


class InProcess:
    """Runs every task here, one after another (for one worker, and for debugging)."""

    name = "this process"
    workers = 1

    def run(self, tasks: list[RunTask]) -> Iterator[Result]:
        """Run the tasks in order."""
        for task in tasks:
            yield run_task(task)

    def close(self) -> None:
        """Nothing to release."""


class LocalProcesses:
    """A pool of local worker processes (`concurrent.futures.ProcessPoolExecutor`)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.name = f"{workers} local processes"

    def run(self, tasks: list[RunTask]) -> Iterator[Result]:
        """Submit every task to the pool; yield results as they complete."""
        pool = ProcessPoolExecutor(self.workers, mp_context=_context())
        try:
            for future in as_completed([pool.submit(run_task, task) for task in tasks]):
                yield future.result()
        finally:  # on an error or ^C, drop the runs not started rather than wait for them
            pool.shutdown(wait=True, cancel_futures=True)

    def close(self) -> None:
        """The pool is shut down at the end of each `run`."""


def _context() -> multiprocessing.context.BaseContext:
    # `fork` starts workers fastest (they inherit the loaded simulator), but forking a process
    # that runs threads (a Dask client, a test's LocalCluster) can deadlock the child on a lock
    # another thread held; then a fork server, preloaded with the simulator, or else `spawn`.
    if sys.platform == "linux" and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["sim.sweep.task"])
        return context
    return multiprocessing.get_context("spawn")


class DaskCluster:
    """An existing Dask distributed cluster, reached through its scheduler's address.

    Its workers must have upgrade-sim installed (the same version as here).
    """

    def __init__(self, address: str) -> None:
        try:
            import distributed
        except ImportError:
            raise InputError("--scheduler needs the Dask distributed package: "
                             "pip install 'upgrade-sim[distributed]'") from None
        self._distributed = distributed
        try:
            self.client = distributed.Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as err:
            raise InputError(f"--scheduler {address}: cannot reach the Dask scheduler ({err})") from None
        self.workers = max(1, sum(w.get("nthreads", 1) for w in self.client.scheduler_info()["workers"].values()))
        self.name = f"the Dask cluster at {address} ({self.workers} worker threads)"

    def run(self, tasks: list[RunTask]) -> Iterator[Result]:
        """Submit every task to the cluster; yield results as they complete."""
        futures = self.client.map(run_task, tasks, pure=False)
        for future in self._distributed.as_completed(futures, loop=self.client.loop):
            yield _result(future)

    def close(self) -> None:
        """Disconnect from the scheduler (the cluster itself keeps running)."""
        self.client.close()


def _result(future: Any) -> Result:
    try:
        return future.result()
    except ModuleNotFoundError as err:
        raise InputError(f"a Dask worker cannot import {err.name!r}: install upgrade-sim on every worker") from None


def _cores() -> int:
    """The cores this process may run on (fewer than the machine's in a container or under taskset)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def make_executor(scheduler: str | None, workers: int | None) -> Executor:
    """Dask when a scheduler is named (argument, else `UPGRADE_SIM_SCHEDULER`), else local processes.

    `workers` (default: every core) sets the number of local processes; 1 runs in this process.
    """
    address = scheduler or os.environ.get(SCHEDULER_ENV) or None
    if address:
        return DaskCluster(address)
    count = workers if workers is not None else _cores()
    if count < 1:
        raise InputError(f"--workers {count}: give at least 1")
    return InProcess() if count == 1 else LocalProcesses(count)
