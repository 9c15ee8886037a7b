"""`make demo` as a user runs it: how long until the first and the second run serve, and whether
Ctrl-C leaves nothing behind.

    python bench/demo_start_stop.py [--venv /tmp/kejia-venv] [--port 8765] [--orgs 2500] [--people 3000]

Runs `make demo VENV=… PORT=…` twice with a fresh KEJIA_VAR_DIR (its own SQLite database), each
time in a process group of its own with SIGINT at its default, as a terminal's foreground job;
waits until the login page answers 200, then sends SIGINT to the group (what Ctrl-C does) and
checks that make exits within 30 s, that no process started from that var directory is left
(the server's workers, the task worker), that the port can be bound again, and that the output
has neither a granian thread warning nor a segmentation fault. The first run creates the virtual
environment when --venv does not exist yet (installing requirements.txt from PyPI) and seeds the
demo; the second reuses both. Prints JSON; exits 1 when a check fails. Not part of the test
suite (it needs the full demo and minutes); run it after changing the Makefile or `serve`."""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _port_free(port: int) -> bool:
    """Nothing listens, and a server could bind it again (SO_REUSEADDR, as servers do: the
    connections this script made may linger in TIME_WAIT)."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            return False
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _left_behind(marker: str) -> list[str]:
    """Processes whose environment holds our KEJIA_VAR_DIR (make's children, wherever their group)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if marker.encode() in Path(f"/proc/{pid}/environ").read_bytes():
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                found.append(f"{pid} {cmdline[:120]}")
        except OSError:
            continue
    return found


def run_once(args, var_dir: str, log_path: Path) -> dict:
    env = {**os.environ, "KEJIA_VAR_DIR": var_dir, "ALLOW_DEVELOPMENT_KEYS": "true"}
    env.pop("DATABASE_URL", None)
    cmd = ["make", "-s", "demo", f"VENV={args.venv}", f"PORT={args.port}", f"DEMO_ORGS={args.orgs}", f"DEMO_PEOPLE={args.people}"]
    started = time.monotonic()
    with open(log_path, "wb") as log:
        make = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
    serving = None
    while time.monotonic() - started < args.timeout:
        if make.poll() is not None:
            break
        if _answers(args.port):
            serving = time.monotonic() - started
            break
        time.sleep(0.25)
    time.sleep(1)
    os.killpg(make.pid, signal.SIGINT)  # Ctrl-C: the terminal signals its foreground process group
    stop_started = time.monotonic()
    try:
        make.wait(timeout=30)
        stopped = time.monotonic() - stop_started
    except subprocess.TimeoutExpired:
        stopped = None
    time.sleep(0.5)
    left = _left_behind(f"KEJIA_VAR_DIR={var_dir}")
    output = log_path.read_text(errors="replace")
    result = {
        "seconds_until_serving": None if serving is None else round(serving, 1),
        "make_exit_status": make.returncode,
        "seconds_to_stop_after_ctrl_c": None if stopped is None else round(stopped, 1),
        "left_behind": left,
        "port_free_after": _port_free(args.port),
        "thread_warning": "Python threads" in output,
        "segmentation_fault": "egmentation fault" in output,
    }
    for line in left:  # clean up what a failed run left, so the next run starts clean
        try:
            os.kill(int(line.split()[0]), signal.SIGKILL)
        except OSError:
            pass
    result["ok"] = bool(
        serving is not None
        and stopped is not None
        and not left
        and result["port_free_after"]
        and not result["thread_warning"]
        and not result["segmentation_fault"]
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", default=str(Path(tempfile.gettempdir()) / "kejia-venv"))
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--orgs", type=int, default=2500)
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for a run to serve")
    args = parser.parse_args()
    if not _port_free(args.port):
        raise SystemExit(f"port {args.port} is in use")
    load = os.getloadavg()
    venv_existed = Path(args.venv, "bin", "python").exists()
    with tempfile.TemporaryDirectory(prefix="kejia-demo-") as var_dir:
        runs = [run_once(args, var_dir, Path(var_dir) / f"make-{i}.log") for i in (1, 2)]
        logs = [(Path(var_dir) / f"make-{i}.log").read_text(errors="replace").splitlines()[-8:] for i in (1, 2)]
    print(
        json.dumps(
            {
                "benchmark": "make demo: first and second start, Ctrl-C",
                "venv": args.venv,
                "venv_existed": venv_existed,
                "orgs": args.orgs,
                "people": args.people,
                "machine": machine() | {"load_average_before": load},
                "first": runs[0],
                "second": runs[1],
                "log_tails": logs,
            },
            ensure_ascii=False,
            indent=1,
        )
    )
    sys.exit(0 if all(r["ok"] for r in runs) else 1)


if __name__ == "__main__":
    main()
