"""`manage.py run_demo`: what `make demo` runs after installing — in one process, so that a second
`make demo` starts in seconds (Django and Kejia are imported once, the system checks run once):

1. `migrate` (nothing to do on a second run);
2. `seed_demo --if-empty --orgs N --people N` (a no-op when the demo is there);
3. `demo_logins`;
4. `serve --task-worker var/worker.log`: the web server and the task worker, both stopped by Ctrl-C.

Development keys only (make demo sets ALLOW_DEVELOPMENT_KEYS=true)."""

import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from kejia.demo import common as demo


class Command(BaseCommand):
    help = "Migrate, seed the demo province if empty, print the logins, and serve with a task worker (make demo)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--orgs", type=int, default=demo.DEFAULT_ORGS)
        parser.add_argument("--people", type=int, default=0)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="prepare the database and print the logins, then stop")

    def handle(self, *args, orgs: int, people: int, host: str, port: int, no_serve: bool, **options) -> None:
        started = time.monotonic()
        (settings.VAR_DIR / "static").mkdir(parents=True, exist_ok=True)  # whitenoise's directory (nothing collected in the demo)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("seed_demo", if_empty=True, orgs=orgs, people=people, stdout=self.stdout, stderr=self.stderr)
        url = f"http://{host}:{port}/"
        call_command("demo_logins", url=url, stdout=self.stdout)
        log = settings.VAR_DIR / "worker.log"
        self.stdout.write(
            f"Ready in {time.monotonic() - started:.1f} s. Kejia serves on {url}  (Ctrl-C stops it and the task worker; background tasks log to {log})"
        )
        if not no_serve:
            call_command("serve", host=host, port=port, task_worker=str(log), stdout=self.stdout, stderr=self.stderr)
