"""Rebuild the expert-search index from the database (safe to run at any time: readers keep the
old index until the new one is committed)."""

import json
import sys

from django.core.management.base import BaseCommand

from kejia.search.indexing import index_dir, rebuild_index


class Command(BaseCommand):
    help = "Rebuild the expert-search index from the database."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument("--processes", type=int, default=None, help="segmentation processes (default: CPU count)")

    def handle(self, *args, batch_size: int, processes: int | None, **options):
        last = [0.0]

        def progress(done: int, seconds: float) -> None:
            if seconds - last[0] >= 2:
                last[0] = seconds
                print(f"{done} people indexed, {seconds:.1f}s", file=sys.stderr, flush=True)

        self.stderr.write(f"Rebuilding the search index in {index_dir()} …")
        stats = rebuild_index(batch_size=batch_size, processes=processes, progress=progress)
        print(f"{stats['documents']} people indexed in {stats['seconds']}s ({stats['per_second']}/s)", file=sys.stderr, flush=True)
        self.stdout.write(json.dumps(stats, ensure_ascii=False))
