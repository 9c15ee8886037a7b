"""Hostile spreadsheets: how the import's reader answers each, how fast, in how much memory.

    python bench/import_bombs.py [--case NAME ...] [--timeout 120]

Builds each bomb of kejia/imports/tests/bombs.py (a very long row, a huge shared-strings part, a
zip bomb, billion laughs, deep XML, a long cell, huge row and column numbers, unclosed rows, a
long CSV line) and a normal 20 000-row sheet as the control, writes it to a temporary file and
reads it in a fresh process the way the import's worker does — twice: with the limits as they
are, and with the compression-ratio limit lifted, to show what the next limit does — (kejia.imports.reading.open_table,
then every row). Each child reports the outcome (rows read, or the refusal's message), the
seconds from open to outcome, its resident memory just before reading (Django loaded, the file
read), its peak resident memory, and the difference ("added": 0 when reading never went above
what starting up had already reached). A child that does not finish within --timeout seconds
is killed and reported as such. Prints JSON. Run time: about a minute on the development machine."""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# name → (what it is, builder name, arguments)
CASES = {
    "control": ("a normal sheet, 20 000 rows", None, ()),
    "long_row": ("one row of 2 000 000 cells (the finding's shape; compresses ~500×)", "long_row", (2_000_000,)),
    "long_row_varied": ("one row of 1 000 000 different cells (compresses like a real sheet)", "long_row_varied", (1_000_000,)),
    "shared_strings": ("3 000 000 different shared strings", "shared_strings", (3_000_000,)),
    "zip_bomb": ("a 1 GB sheet of blanks, zipped", "zip_bomb", (1024,)),
    "rows_bomb": ("500 MB of real-shaped rows, zipped ~1000×", "many_rows_bomb", (500,)),
    "entities": ("billion laughs (10 levels of entities)", "entities", (10,)),
    "deep_xml": ("workbook XML nested 1 000 000 deep", "deep_workbook", (1_000_000,)),
    "deep_string": ("a shared string nested 1 000 000 deep", "deep_strings", (1_000_000,)),
    "long_cell": ("a cell of 1 000 000 characters", "long_cell", (1_000_000,)),
    "far_row": ("a row numbered 1 000 000 000", "far_row", ()),
    "far_column": ("a cell in column ZZZZZZZ", "far_column", ()),
    "unclosed_rows": ("1 000 000 rows opened, never closed", "unclosed_rows", (1_000_000,)),
    "csv_long_line": ("a CSV line of 40 MB of commas", "long_csv_line", (40,)),
}


def build(case: str) -> bytes:
    from kejia.imports.tests import bombs, sheets

    _label, builder, args = CASES[case]
    if builder is None:
        return sheets.xlsx([sheets.row(n) for n in range(20_000)])
    if builder == "long_row_varied":
        return bombs.long_row(*args, varied=True)
    return getattr(bombs, builder)(*args)


def _status(field: str) -> int:
    """A figure of /proc/self/status in KiB (VmHWM, the peak, starts again at exec; ru_maxrss does not)."""
    with open("/proc/self/status", encoding="ascii") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith(field + ":"))


def child(path: str, lift_ratio: bool) -> None:
    import dataclasses

    import django

    django.setup()
    from django.utils import translation

    from kejia.imports import reading, xlsx

    translation.activate("en")
    if lift_ratio:  # what the next limit does when the compression ratio does not stop the file first
        xlsx.LIMITS = dataclasses.replace(xlsx.LIMITS, ratio=10**9)
    content = Path(path).read_bytes()
    name = "bomb.csv" if content[:2] != b"PK" else "bomb.xlsx"
    rss_before = _status("VmRSS")
    started = time.perf_counter()
    try:
        table = reading.open_table(content, name)
        rows = sum(1 for _row in table.rows)
        outcome = {"outcome": "read", "rows": rows}
    except reading.FileRefused as exc:
        outcome = {"outcome": "refused", "message": str(exc.message)}
    seconds = time.perf_counter() - started
    peak = _status("VmHWM")
    print(
        json.dumps(
            {
                **outcome,
                "seconds": round(seconds, 2),
                "rss_before_mib": round(rss_before / 1024),
                "peak_rss_mib": round(peak / 1024),
                "added_mib": round(max(peak - rss_before, 0) / 1024),
            },
            ensure_ascii=False,
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--case", action="append", choices=sorted(CASES), help="only these cases (default: all)")
    parser.add_argument("--timeout", type=int, default=120)
    parser.add_argument("--child")
    parser.add_argument("--lift-ratio", action="store_true", help="(child) read with the compression-ratio limit lifted")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kejia.settings.base")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    if args.child:
        child(args.child, args.lift_ratio)
        return
    import django

    django.setup()
    from bench._common import machine

    results = []
    for case in args.case or list(CASES):
        content = build(case)
        with tempfile.NamedTemporaryFile(prefix="kejia-bomb-", suffix=".bin") as fh:
            fh.write(content)
            fh.flush()
            entry = {"case": case, "what": CASES[case][0], "file_bytes": len(content)}
            for key, extra in (("default", []), ("ratio_lifted", ["--lift-ratio"])):
                try:
                    done = subprocess.run(
                        [sys.executable, __file__, "--child", fh.name, *extra], capture_output=True, text=True, timeout=args.timeout, cwd=ROOT, check=False
                    )
                    entry[key] = json.loads(done.stdout) if done.returncode == 0 else {"outcome": "crashed", "error": done.stderr[-500:]}
                except subprocess.TimeoutExpired:
                    entry[key] = {"outcome": f"not finished after {args.timeout} s (killed)"}
        results.append(entry)
        print(json.dumps(entry, ensure_ascii=False), file=sys.stderr, flush=True)
    print(json.dumps({"benchmark": "import bombs", "machine": machine(), "cases": results}, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
