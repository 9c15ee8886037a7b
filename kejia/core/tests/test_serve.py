"""`manage.py serve`: the thread count it picks, and the supervisor `make demo` runs (Ctrl-C stops
the server with its workers and the task worker; one ending stops the other)."""

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from kejia.core.management.commands.serve import default_threads, granian_thread_bound

BASE_DIR = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("vendor", "cpus", "threads"),
    [
        ("sqlite", 1, 3),
        ("sqlite", 2, 4),
        ("sqlite", 16, 4),
        ("postgresql", 1, 3),
        ("postgresql", 2, 5),
        ("postgresql", 4, 8),
        ("postgresql", 64, 8),
    ],
)
def test_default_threads_stay_under_granians_warning(vendor, cpus, threads):
    assert default_threads(vendor, cpus) == threads <= granian_thread_bound(cpus)


@pytest.mark.django_db
def test_serve_check_uses_the_default_or_the_threads_asked_for(settings):
    settings.WEB_THREADS, settings.WEB_WORKERS = None, 2
    out = io.StringIO()
    call_command("serve", "--check", workers=2, threads=None, stdout=out)
    assert f"2 workers × {default_threads(connection.vendor, os.cpu_count() or 1)} threads" in out.getvalue()
    out = io.StringIO()
    call_command("serve", "--check", workers=1, threads=3, stdout=out)
    assert "1 workers × 3 threads" in out.getvalue()


MARK = "3001.5"  # `sleep 3001.5`: the processes this test starts and must see gone


def _ours() -> list[int]:
    pids = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if Path(f"/proc/{pid}/cmdline").read_bytes() == f"sleep\0{MARK}\0".encode():
                pids.append(int(pid))
        except OSError:
            continue
    return pids


def _supervisor(tmp_path: Path, server: str, worker: str) -> subprocess.Popen:
    code = (
        "import sys; from pathlib import Path; from kejia.core.management.commands.serve import supervise; "
        f"sys.exit(supervise(['sh', '-c', {server!r}], ['sh', '-c', {worker!r}], Path({str(tmp_path / 'worker.log')!r}), stop_timeout=2))"
    )
    return subprocess.Popen([sys.executable, "-c", code], cwd=BASE_DIR, start_new_session=True)


def test_ctrl_c_stops_the_server_its_workers_and_the_task_worker(tmp_path):
    # The "server" has a child that ignores SIGINT (a background job of sh), as a granian worker
    # still starting up misses it: it is killed after the stop timeout.
    supervisor = _supervisor(tmp_path, f"sleep {MARK} & sleep {MARK}", f"echo started; sleep {MARK}")
    deadline = time.monotonic() + 20
    while len(_ours()) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(_ours()) == 3
    started = time.monotonic()
    os.killpg(supervisor.pid, signal.SIGINT)  # Ctrl-C reaches the supervisor's group only
    assert supervisor.wait(timeout=15) == 0
    assert time.monotonic() - started < 10
    assert _ours() == []
    assert "started" in (tmp_path / "worker.log").read_text()


def test_when_the_server_ends_the_task_worker_is_stopped_too(tmp_path):
    supervisor = _supervisor(tmp_path, "sleep 1; exit 3", f"sleep {MARK}")
    assert supervisor.wait(timeout=20) == 3
    assert _ours() == []
