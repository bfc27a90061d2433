"""Runs the web server (gunicorn) and one background worker side by side.

If either stops on its own, the other is stopped too, so whatever supervises
Inhouse (systemd, a container runtime, a terminal) sees one failure instead of a
half-running service. If this process itself is killed outright (``kill -9``, which
it cannot catch or forward), Linux sends each child SIGTERM, so none keeps running
or holds the port.
"""

import ctypes
import errno
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from types import FrameType

from gunicorn.util import parse_address

DEFAULT_WEB_WORKERS = 3
# gunicorn lets in-flight requests finish within its graceful timeout; the worker
# finishes the task it is running. Whoever is still up after this is killed.
STOP_GRACE_SECONDS = 30
_POLL_SECONDS = 0.2
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


class ServeError(Exception):
    """The server cannot start as asked; the message is meant for the person running it."""


def default_web_workers() -> int:
    """The number of gunicorn worker processes: ``INHOUSE_WEB_WORKERS``, else 3."""
    raw = os.environ.get("INHOUSE_WEB_WORKERS", str(DEFAULT_WEB_WORKERS))
    try:
        workers = int(raw)
    except ValueError:
        raise ServeError(f"INHOUSE_WEB_WORKERS must be a whole number, not {raw!r}.") from None
    if workers < 1:
        raise ServeError("INHOUSE_WEB_WORKERS must be at least 1.")
    return workers


def ensure_bind_available(bind: str) -> None:
    """Fails early with a plain message when gunicorn could not listen on ``bind``.

    gunicorn would otherwise retry for several seconds and then exit with a log line
    that is easy to miss among the worker's.
    """
    try:
        address = parse_address(bind)
    except RuntimeError as error:
        raise ServeError(f"--bind {bind!r} is not a valid address: {error}") from None
    if not isinstance(address, tuple):
        return  # a Unix socket path or an inherited file descriptor: nothing to probe
    host, port = address
    try:
        resolved = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family, kind, proto, _, sockaddr = resolved[0]
        with socket.socket(family, kind, proto) as probe:
            # gunicorn sets SO_REUSEADDR too, so a port in TIME_WAIT does not count as taken.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(sockaddr)
    except OSError as error:
        in_use = error.errno == errno.EADDRINUSE
        hint = " (is Inhouse already running? Pass another port with --bind.)" if in_use else ""
        raise ServeError(f"Cannot listen on {bind}: {error.strerror or error}{hint}") from None


def web_command(*, bind: str, web_workers: int) -> list[str]:
    return [
        sys.executable, "-m", "gunicorn", "inhouse.wsgi:application",
        "--bind", bind,
        "--workers", str(web_workers),
        "--threads", "4",
        "--access-logfile", "-",
        "--graceful-timeout", "10",
        # This process supervises gunicorn; its control socket would be one fixed path
        # in $HOME shared by every instance on the machine (the tests start several).
        "--no-control-socket",
    ]  # fmt: skip


def worker_command() -> list[str]:
    return [sys.executable, "-m", "inhouse.cli", "worker"]


def serve_with_worker(*, bind: str, web_workers: int, with_worker: bool) -> int:
    """Serves until interrupted or until a process dies; returns the exit code to use.

    Raises ServeError when ``bind`` cannot be listened on.
    """
    ensure_bind_available(bind)
    commands = {"gunicorn": web_command(bind=bind, web_workers=web_workers)}
    if with_worker:
        commands["worker"] = worker_command()
    return supervise(commands)


def die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` that makes the child get SIGTERM when this process dies.

    None where the kernel offers no such request (anything but Linux): there the
    children outlive a ``kill -9`` of this process, as they always did. Linux sends
    the signal when the thread that started the child ends, so children must be
    started from the main thread (as ``supervise`` is).
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        # Looked up here, before the fork: the child should only make the one call.
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def request_sigterm_on_parent_death() -> None:
        if prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
            return  # refused (e.g. by a seccomp filter): start anyway, as without Linux
        # The parent may have died between the fork and the request, which then never
        # fires; the child has been adopted by then, so its parent id has changed.
        if os.getppid() != parent:
            os._exit(128 + signal.SIGTERM)

    return request_sigterm_on_parent_death


def supervise(commands: dict[str, list[str]]) -> int:
    """Runs each named command until one stops or this process gets SIGINT/SIGTERM.

    Then the others are stopped. Returns 0 when a requested stop went cleanly;
    otherwise the exit status of the failure (a process that stops by itself is one).
    Must be called from the main thread: it installs signal handlers, and restores
    the previous ones before returning.
    """
    children: dict[str, subprocess.Popen[bytes]] = {}
    stop_requested = False
    first_to_stop: tuple[str, subprocess.Popen[bytes]] | None = None

    def forward(_signum: int, _frame: FrameType | None) -> None:
        # The first Ctrl-C or SIGTERM asks for a graceful stop: gunicorn finishes the
        # requests in flight, the worker its current task. SIGTERM also ends a child
        # still starting up without a KeyboardInterrupt traceback. A second one hurries
        # both: gunicorn drops its requests, the worker marks its task failed.
        nonlocal stop_requested
        _signal_running(children.values(), signal.SIGINT if stop_requested else signal.SIGTERM)
        stop_requested = True

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    preexec = die_with_parent()
    try:
        for name, argv in commands.items():
            if stop_requested:
                break
            # Each child gets its own process group: a Ctrl-C in the terminal then reaches
            # it once, forwarded from here, instead of twice (which makes the worker
            # abandon its current task). The commands are fixed argument lists, no shell.
            # preexec_fn is unsafe only alongside other threads; serve starts none before this.
            children[name] = subprocess.Popen(  # noqa: S603
                argv, process_group=0, preexec_fn=preexec
            )
        while not stop_requested and all(child.poll() is None for child in children.values()):
            time.sleep(_POLL_SECONDS)
        first_to_stop = None if stop_requested else _first_stopped(children)
        if first_to_stop is not None:
            name, child = first_to_stop
            print(
                f"inhouse: {name} stopped (exit status {_exit_status(child)}); stopping the rest.",
                file=sys.stderr,
            )
            forward(signal.SIGTERM, None)
        _wait_or_kill(children.values(), deadline=time.monotonic() + STOP_GRACE_SECONDS)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        # Only reached with live children if starting one failed: leave no orphans.
        _wait_or_kill(children.values(), deadline=time.monotonic())
    if first_to_stop is not None:
        return _exit_status(first_to_stop[1]) or 1
    return max((_exit_status(child) for child in children.values()), default=0)


def _signal_running(children: Iterable[subprocess.Popen[bytes]], signum: int) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signum)


def _first_stopped(
    children: dict[str, subprocess.Popen[bytes]],
) -> tuple[str, subprocess.Popen[bytes]] | None:
    return next(((name, c) for name, c in children.items() if c.poll() is not None), None)


def _wait_or_kill(children: Iterable[subprocess.Popen[bytes]], *, deadline: float) -> None:
    for child in children:
        try:
            child.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _exit_status(child: subprocess.Popen[bytes]) -> int:
    # Popen reports death by signal N as -N; shells and supervisors expect 128 + N.
    code = child.wait()
    return 128 - code if code < 0 else code
