"""The embedded PostgreSQL stops with Duijie (#15.9): on a plain SIGTERM of ``duijie serve``,
and also when a worker that shared it had been killed with SIGKILL (its pid stayed in the
server's user list). Real processes on a real embedded server in a temporary data directory."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def data_dir():
    directory = Path(tempfile.mkdtemp(prefix="duijie-stop-"))
    directory.chmod(0o755)
    yield directory
    info = directory / "pgdata" / "postmaster.pid"
    if info.exists():  # a failed test must not leave a server behind
        subprocess.run(
            ["kill", "-9", info.read_text().split()[0]], check=False, capture_output=True
        )
    shutil.rmtree(directory, ignore_errors=True)


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return env | {"DUIJIE_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(data_dir: Path, log: Path) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
        env=_env(data_dir), stdout=subprocess.DEVNULL, stderr=log.open("w"),
    )  # fmt: skip
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                if r.status == 200:
                    return proc, port
        except OSError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise AssertionError(f"serve did not start: {log.read_text()}")


def _postmaster(data_dir: Path) -> int:
    return int((data_dir / "pgdata" / "postmaster.pid").read_text().split()[0])


def _stopped_within(data_dir: Path, pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        gone = not psutil.pid_exists(pid) or psutil.Process(pid).status() == "zombie"
        if gone and not (data_dir / "pgdata" / "postmaster.pid").exists():
            return True
        time.sleep(0.1)
    return False


def _terminate(proc: subprocess.Popen) -> int:
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise


def test_sigterm_of_serve_stops_the_embedded_database(data_dir, tmp_path):
    log = tmp_path / "serve.log"
    serve, _ = _serve(data_dir, log)
    postmaster = _postmaster(data_dir)
    assert psutil.pid_exists(postmaster)
    _terminate(serve)
    assert _stopped_within(data_dir, postmaster, 10), log.read_text()
    assert "内嵌 PostgreSQL 已停止" in log.read_text()


def test_a_killed_worker_does_not_keep_the_database_running(data_dir, tmp_path):
    log = tmp_path / "serve.log"
    serve, _ = _serve(data_dir, log)
    postmaster = _postmaster(data_dir)
    worker = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "worker"],
        env=_env(data_dir), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        line = worker.stdout.readline()
        assert line.startswith("工作进程 "), line
        pids = (data_dir / "pgdata" / ".handle_pids.json").read_text()
        assert str(worker.pid) in pids and str(serve.pid) in pids
    finally:
        worker.kill()  # SIGKILL: its pid stays in the server's user list
        worker.wait()
    _terminate(serve)
    assert _stopped_within(data_dir, postmaster, 10), log.read_text()
    assert "内嵌 PostgreSQL 已停止" in log.read_text()
