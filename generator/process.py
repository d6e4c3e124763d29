"""Process management, in one module: forked workers, child processes, locks and stop signals.

The rules every stage relies on:
- A child never outlives the build. SIGTERM and SIGHUP raise `Stopped` in the main process, which
  unwinds through the `finally` blocks that stop the children; and every child asks the kernel to
  send it SIGTERM when its parent dies (Linux `PR_SET_PDEATHSIG`), so even a SIGKILLed build takes
  its MkDocs and Pagefind processes along.
- One build per output at a time: `Lock` is an advisory lock (flock) on a file, released by the
  kernel when the process ends however it ends, so a killed build never leaves a stale lock.
"""
from __future__ import annotations

import ctypes
import fcntl
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from .errors import BuildError, Stopped, UsageError
from .log import log

_PR_SET_PDEATHSIG = 1
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def cpu_count() -> int:
    """The cores this process may use; FACTCHECK_WORKERS caps it (1: everything in one process)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    cap = os.environ.get("FACTCHECK_WORKERS", "")
    return max(1, min(cores, int(cap))) if cap.isdigit() else cores


def _threaded() -> bool:
    # fork() copies only the calling thread: a lock another thread holds stays held in the child forever.
    return threading.active_count() > 1


def _die_with_parent() -> None:
    """In a child: ask for SIGTERM when the parent dies (Linux only; elsewhere `Stopped` must do)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _raise_stopped(signum, frame) -> None:
    raise Stopped(signum)


def stop_on_signals() -> None:
    """SIGTERM/SIGHUP unwind the main process like Ctrl-C does, so its `finally` blocks stop children. SIGINT
    raises KeyboardInterrupt even when the process started with it ignored (a parent's SIG_IGN is inherited
    through exec, and Python then leaves it ignored): `kill -INT` always stops the tool and its children."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for sig in _STOP_SIGNALS:
        signal.signal(sig, _raise_stopped)


def _usage(seconds: float, usage) -> str:
    """A stage's figures for the log: wall time, then CPU time and peak RSS from wait4."""
    return f"{seconds:.1f} s (CPU {usage.ru_utime + usage.ru_stime:.1f} s, peak {usage.ru_maxrss // 1024} MB)"


# --- forked workers ----------------------------------------------------------------------------------------

class _Forked:
    """fn(*args) in a forked process; its result comes back pickled through a pipe."""

    def __init__(self, fn: Callable, args: tuple) -> None:
        sys.stdout.flush(), sys.stderr.flush()
        self.started = time.perf_counter()
        read, write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: never returns into the caller's code (os._exit skips atexit and finally)
            status = 1
            try:
                os.close(read)
                _die_with_parent()
                try:
                    result = (True, fn(*args))
                except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
                    result = (False, (exc if isinstance(exc, Exception) and _picklable(exc) else None,
                                      traceback.format_exc()))
                with os.fdopen(write, "wb") as pipe:
                    pickle.dump(result, pipe, protocol=pickle.HIGHEST_PROTOCOL)
                status = 0
            finally:
                os._exit(status)
        os.close(write)
        self.pipe = os.fdopen(read, "rb")
        self.usage = None

    def result(self):
        """Wait for the child; its return value, or its exception raised here."""
        try:
            data = self.pipe.read()
        except BaseException:
            self.kill()
            raise
        finally:
            self.pipe.close()
        _, status, self.usage = os.wait4(self.pid, 0)
        self.pid = 0
        if not data:
            raise BuildError(f"a worker process died (exit status {os.waitstatus_to_exitcode(status)})")
        ok, value = pickle.loads(data)
        if ok:
            return value
        exc, tb = value
        if exc is None:
            raise BuildError(f"a worker process failed:\n{tb}")
        exc.add_note(f"in the worker process:\n{tb}")
        raise exc

    def kill(self) -> None:
        if self.pid:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pid = 0

    def figures(self) -> str:
        return _usage(time.perf_counter() - self.started, self.usage)


def _picklable(exc: Exception) -> bool:
    try:
        pickle.loads(pickle.dumps(exc))
        return True
    except Exception:  # noqa: BLE001
        return False


def in_child(fn: Callable, *args) -> tuple[object, str]:
    """fn(*args) in a forked process: its (picklable) result comes back, its memory does not stay.
    Returns the result and the child's figures for the log (time, CPU, peak memory).

    Validating and rendering 10,000 claims leaves a heap that CPython keeps (freed objects leave
    arenas partly used); forked, it is all returned when the child exits, before MkDocs starts.
    Without fork (not POSIX), fn runs here."""
    if not hasattr(os, "fork"):
        started = time.perf_counter()
        return fn(*args), f"{time.perf_counter() - started:.1f} s"
    child = _Forked(fn, args)
    try:
        return child.result(), child.figures()
    finally:
        child.kill()


def fork_map(fn: Callable[[list], list], items: list, workers: int | None = None, min_items: int = 200) -> list:
    """fn(part) over `workers` interleaved parts of items, each but the first in a forked process
    (copy-on-write: they see this process's state, only results are pickled); the results in part
    order, concatenated. One process when there is one core or fewer than `min_items` items."""
    workers = min(workers or cpu_count(), max(1, len(items) // max(1, min_items // 2)))
    if workers < 2 or len(items) < min_items or not hasattr(os, "fork") or _threaded():
        return fn(items)
    parts = [items[i::workers] for i in range(workers)]
    children = [_Forked(fn, (part,)) for part in parts[1:]]
    try:
        results = [fn(parts[0])] + [child.result() for child in children]
    finally:
        for child in children:
            child.kill()
    return [item for part in results for item in part]


# --- child processes ---------------------------------------------------------------------------------------

class Child:
    """A stage running as a child process, its output kept in a temporary file for the error message."""

    def __init__(self, name: str, cmd: Sequence[str], env: dict | None = None, cwd: Path | None = None) -> None:
        self.name, self.started = name, time.perf_counter()
        self.output = tempfile.TemporaryFile()
        # preexec_fn is not safe with other threads running (the preview's): there, `stop_children` must do.
        self.proc = subprocess.Popen(list(cmd), cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=self.output,
                                     stderr=subprocess.STDOUT, preexec_fn=None if _threaded() else _die_with_parent)
        self.figures = ""
        _LIVE.add(self)

    def poll(self) -> bool:
        """True when the process has ended; then keeps its time, CPU and peak memory (wait4's usage)."""
        pid, status, usage = os.wait4(self.proc.pid, os.WNOHANG)
        if pid == 0:
            return False
        self.proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
        self.figures = _usage(time.perf_counter() - self.started, usage)
        return True

    def text(self) -> str:
        self.output.seek(0)
        return self.output.read().decode("utf-8", "replace")

    def error(self) -> BuildError:
        tail = "\n".join(self.text().strip().splitlines()[-30:])
        return BuildError(f"{self.name} failed (exit {self.proc.returncode}):\n{tail}")

    def stop(self) -> None:
        """Ask politely, then insist: MkDocs and Pagefind write nothing that matters once stopped."""
        if self.proc.returncode is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        _LIVE.discard(self)
        if not self.output.closed:
            self.output.close()


_LIVE: set[Child] = set()  # children not yet stopped, whichever thread started them


def stop_children() -> None:
    """Stop every child still running (a preview stopping while a worker thread waits on MkDocs)."""
    for child in list(_LIVE):
        if child.proc.returncode is None:
            child.proc.terminate()
    for child in list(_LIVE):
        try:
            child.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            child.proc.kill()


def run_all(children: list[Child], quiet: bool = False) -> None:
    """Wait for every child; the first that fails stops the others and raises its error."""
    try:
        running = list(children)
        while running:
            for child in [c for c in running if c.poll()]:
                running.remove(child)
                if child.proc.returncode != 0:
                    raise child.error()
                if not quiet:
                    log(f"  {child.name}: {child.figures}")
            if running:
                time.sleep(0.02)
    finally:
        for child in children:
            child.stop()


MEMORY_BUDGET_MB = 800  # for the children at once: the whole process tree stays under 1 GB


def run_pool(jobs: list[tuple[str, Sequence[str], dict | None]], workers: int | None = None,
             cwd: Path | None = None, memory_mb: Sequence[float] = ()) -> None:
    """Run (name, command, env) jobs, at most `workers` at a time and, when `memory_mb` estimates each job's
    peak, no more at once than fit in MEMORY_BUDGET_MB (a job alone always runs); the first failure stops
    them all."""
    workers = workers or cpu_count()
    pending = [(job, memory_mb[i] if i < len(memory_mb) else 0.0) for i, job in enumerate(jobs)]
    running: list[Child] = []
    weights: dict[Child, float] = {}
    try:
        while pending or running:
            while pending and len(running) < workers and (
                    not running or sum(weights.values()) + pending[0][1] <= MEMORY_BUDGET_MB):
                (name, cmd, env), weight = pending.pop(0)
                child = Child(name, cmd, env, cwd)
                running.append(child)
                weights[child] = weight
            for child in [c for c in running if c.poll()]:
                running.remove(child)
                weights.pop(child)
                failed = child.error() if child.proc.returncode != 0 else None
                child.stop()
                if failed:
                    raise failed
                log(f"  {child.name}: {child.figures}")
            time.sleep(0.02)
    finally:
        for child in running:
            child.stop()


def run_tool(cmd: Sequence[str], cwd: Path | None = None, input: bytes | None = None) -> subprocess.CompletedProcess:
    """A short command (git) run to its end, its output captured as bytes; UsageError when it cannot start."""
    try:
        return subprocess.run(list(cmd), cwd=cwd, input=input, capture_output=True,
                              stdin=subprocess.DEVNULL if input is None else None,
                              preexec_fn=None if _threaded() else _die_with_parent)
    except FileNotFoundError as exc:
        raise UsageError(f"`{cmd[0]}` is not installed, or not on the PATH") from exc


# --- locks ---------------------------------------------------------------------------------------------

class Lock:
    """An exclusive lock on `path` (created if missing, never deleted: deleting a lock file races with
    a process that opened it). `what` names the output for the messages."""

    def __init__(self, path: Path, what: str, wait: bool = True) -> None:
        self.path, self.what, self.wait, self.file = path, what, wait, None

    def acquire(self, wait: bool | None = None) -> Lock:
        wait = self.wait if wait is None else wait
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.file = open(self.path, "a+", encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot create the lock file {self.path}: {exc.strerror}") from exc
        try:
            fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.file.seek(0)
            holder = self.file.read().strip() or "another process"
            if not wait:
                self.file.close()
                raise UsageError(f"{self.what} is in use by {holder}; stop it first, or wait for it to finish")
            log(f"waiting: {self.what} is in use by {holder} …")
            fcntl.flock(self.file, fcntl.LOCK_EX)
        self.file.seek(0)
        self.file.truncate()
        self.file.write(f"pid {os.getpid()} ({' '.join(sys.argv[1:3]) or 'python'})\n")
        self.file.flush()
        return self

    def release(self) -> None:
        if self.file is not None:
            fcntl.flock(self.file, fcntl.LOCK_UN)
            self.file.close()
            self.file = None

    def __enter__(self) -> Lock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
