"""HTTP load against a gunicorn the bench starts and stops itself, on 127.0.0.1 only.

Every timed response must have the expected status: anything else stops the bench
(``BenchFailure``) with the endpoint, the status and the start of the body, so a
figure is never computed from failed answers. Every loop is bounded in count and
in time: a phase that runs out of time stops early and its figures say how many
calls they come from.
"""

import http.client
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
PHASE_SECONDS = 60
# Fewer answers than this in a phase's time is too few to give a p99 from.
MINIMUM_CALLS = 20
RESPONSE_TIMEOUT = 30


class BenchFailure(SystemExit):
    """A timed response was not what the endpoint must answer; no figure is printed."""


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: bytes | None = None


@dataclass(frozen=True)
class Result:
    rate: float
    latencies_ms: list[float]
    bodies: list[bytes]

    @property
    def count(self) -> int:
        return len(self.latencies_ms)

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms)

    @property
    def p99(self) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(env: dict[str, str], *, workers: int = 2) -> Iterator[int]:
    """A gunicorn of ``workers`` sync workers on a free local port, stopped on exit."""
    port = free_port()
    binary = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen(
        [str(binary), "inhouse.wsgi:application", "--bind", f"{HOST}:{port}",
         "--workers", str(workers), "--log-level", "warning", "--no-control-socket",
         "--timeout", str(RESPONSE_TIMEOUT)],
        env=env,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection((HOST, port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise BenchFailure("gunicorn did not start within 30 s") from None
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def run_calls(
    port: int,
    calls: list[Call],
    *,
    headers: dict[str, str],
    clients: int,
    expect: int,
    keep_bodies: bool = False,
) -> Result:
    """Send every call once, spread over ``clients`` connections; stop on a wrong status."""
    latencies: list[float] = []
    bodies: list[bytes] = []
    failures: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + PHASE_SECONDS

    def client(share: list[Call]) -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=RESPONSE_TIMEOUT)
        try:
            for call in share:
                if failures or time.monotonic() > deadline:
                    return
                started = time.perf_counter()
                connection.request(call.method, call.path, body=call.body, headers=headers)
                response = connection.getresponse()
                body = response.read()
                elapsed = (time.perf_counter() - started) * 1000
                if response.status != expect:
                    with lock:
                        failures.append(
                            f"{call.method} {call.path} answered {response.status} "
                            f"(expected {expect}): {body[:200].decode(errors='replace')}"
                        )
                    return
                with lock:
                    latencies.append(elapsed)
                    if keep_bodies:
                        bodies.append(body)
        except (OSError, http.client.HTTPException) as exc:
            with lock:
                failures.append(f"{share[0].method} {share[0].path}: connection failed: {exc}")
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(calls[n::clients],)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if failures:
        raise BenchFailure(f"bench stopped: {failures[0]}")
    if len(latencies) < min(len(calls), MINIMUM_CALLS):
        raise BenchFailure(
            f"bench stopped: {calls[0].method} {calls[0].path} answered only {len(latencies)} "
            f"of {len(calls)} calls within {PHASE_SECONDS} s"
        )
    return Result(rate=len(latencies) / seconds, latencies_ms=latencies, bodies=bodies)
