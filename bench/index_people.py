"""The indexing rate of expert search alone: `rebuild_index` end to end vs jieba alone on the same
profiles, in one run.

    python bench/index_people.py [--people 100000] [--rounds 2] [--batch-size 2000] [--dir /tmp/kejia-bench-index] [--rebuild]

The first run generates, in --dir, a throwaway Django SQLite database with the profiles of
bench/search_people.py (same generator, same seed: listings, disciplines, one achievement each);
later runs reuse it. Then, on the same profiles:

- `rebuild`: `rebuild_index(processes=2)` into an empty directory, end to end (reading the
  database, analysing in two worker processes, writing and committing the tantivy index);
- `jieba_two_cores`: the baseline, jieba alone (`cut_for_search`) on both cores: a 2-process fork
  pool fed the same batches of --batch-size profiles, each worker segmenting every text the
  analyser segments (expertise, title, employer, discipline names, achievements, summary), with
  no cache; the texts are read from the database before the clock starts;
- `jieba_one_core`: the same texts, segmented in this process;
- `jieba_long_texts_two_cores`: only the texts the analyser cannot cache (summary and
  achievements; the short ones — keyword lists, employers, titles, discipline names — repeat and
  are segmented once per process), on both cores.

Each of --rounds rounds runs the four back to back (the machine may be shared: a round's ratios
compare like with like; `cores_busy` = CPU seconds / wall seconds shows whether the run had its
cores). The ratios are rebuild profiles/s over each baseline's profiles/s (`cpu_ratios`: the
same per CPU second, which another program on the machine disturbs less). `documents_sha256` is a digest
of the analysed documents of the first --check profiles (to compare the analyser's output across
versions). The load average is recorded at start and end. JSON on stdout, progress on stderr."""

import argparse
import hashlib
import json
import multiprocessing
import os
import random
import resource
import shutil
import sys
import time
from dataclasses import astuple
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def log(*parts) -> None:
    print(*parts, file=sys.stderr, flush=True)


def _texts(rec: dict) -> tuple[list[str], list[str]]:
    """(short texts, long texts) of a record: what `kejia.search.indexing.analyse` segments."""
    short = [rec["expertise"] or "", rec["title"] or "", rec["employer"] or ""]
    for _code, name, name_en in rec["disciplines"]:
        short += [name or "", name_en or ""]
    long = [" ".join(rec["achievements"]), rec["summary"] or ""]
    return [t for t in short if t], [t for t in long if t]


def _segment(chunk: list[list[str]]) -> int:
    import jieba

    n = 0
    for texts in chunk:
        for text in texts:
            for _ in jieba.cut_for_search(text):
                pass
            n += 1
    return n


def _jieba_init() -> None:
    import jieba

    jieba.initialize()


def cpu_seconds() -> float:
    """CPU time of this process and its reaped children (the pools' workers, once joined)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure_jieba(chunks: list[list[list[str]]], processes: int) -> dict:
    """Segment every text of every chunk (a chunk: one batch of profiles' texts); texts/s,
    profiles/s, and the CPU time used (cores busy = cpu / wall: below the process count, another
    program had the machine)."""
    profiles = sum(len(c) for c in chunks)
    started, cpu = time.perf_counter(), cpu_seconds()
    if processes == 1:
        _jieba_init()
        texts = sum(_segment(c) for c in chunks)
    else:
        pool = multiprocessing.get_context("fork").Pool(processes, initializer=_jieba_init)
        texts = sum(pool.imap(_segment, chunks))
        pool.close()
        pool.join()
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    return {
        "processes": processes,
        "profiles": profiles,
        "texts": texts,
        "seconds": round(seconds, 2),
        "cores_busy": round(cpu / seconds, 2),
        "profiles_per_cpu_second": round(profiles / cpu),
        "texts_per_second": round(texts / seconds),
        "profiles_per_second": round(profiles / seconds),
    }


def measure_rebuild(index_path: Path, batch_size: int, processes: int) -> dict:
    from kejia.search.engine import TantivyBackend
    from kejia.search.indexing import rebuild_index

    shutil.rmtree(index_path, ignore_errors=True)
    backend = TantivyBackend.recreate(index_path)
    cpu = cpu_seconds()
    out = rebuild_index(batch_size=batch_size, processes=processes, backend=backend)
    cpu = cpu_seconds() - cpu
    out["cores_busy"], out["profiles_per_cpu_second"] = round(cpu / out["seconds"], 2), round(out["documents"] / cpu)
    out["index_size_mb"] = round(sum(p.stat().st_size for p in index_path.rglob("*") if p.is_file()) / 1e6, 1)
    out["count"] = backend.count()
    return out


def documents_digest(records: list[dict]) -> str:
    from kejia.search.indexing import analyse

    h = hashlib.sha256()
    for rec in records:
        h.update(repr(astuple(analyse(rec))).encode())
    return h.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2, help="rebuild + baselines, back to back, this many times")
    parser.add_argument("--check", type=int, default=5000, help="profiles whose analysed documents are digested")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/kejia-bench-index"))
    parser.add_argument("--rebuild", action="store_true", help="regenerate the data")
    parser.add_argument("--profile", type=Path, default=None, help="first, a rebuild under cProfile (the writer), stats written here")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    marker = args.dir / "built.json"
    if args.rebuild:
        for name in ("kejia.sqlite3", "kejia.sqlite3-wal", "kejia.sqlite3-shm", "built.json"):
            (args.dir / name).unlink(missing_ok=True)
    built = json.loads(marker.read_text()) if marker.exists() else None
    if built and built.get("people") != args.people:
        sys.exit(f"{args.dir} holds {built.get('people')} people: pass --rebuild (or another --dir)")

    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "kejia.settings.base",
            "ALLOW_DEVELOPMENT_KEYS": "true",
            "KEJIA_VAR_DIR": str(args.dir),
            "LOG_LEVEL": "ERROR",
            "TASK_BACKEND": "immediate",
        }
    )
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from search_people import SEED, build_database

    from kejia.search.indexing import iter_record_batches

    load_start = os.getloadavg()
    started = time.perf_counter()
    if not built:
        log(f"Generating {args.people} profiles into {args.dir / 'kejia.sqlite3'} …")
        built = {"people": args.people, "data": build_database(args.people, random.Random(SEED))}
        marker.write_text(json.dumps(built))
        log(f"  done in {built['data']['seconds']}s")

    log("Reading the texts for the baselines …")
    chunks, long_chunks, records_for_check = [], [], []
    for batch in iter_record_batches(args.batch_size):
        if len(records_for_check) < args.check:
            records_for_check += batch[: args.check - len(records_for_check)]
        pairs = [_texts(r) for r in batch]
        chunks.append([s + lg for s, lg in pairs])
        long_chunks.append([lg for _s, lg in pairs])
    del batch, pairs

    index_path = args.dir / "search"
    settings.SEARCH_INDEX_DIR = index_path
    if args.profile:
        import cProfile

        log("cProfile of the writer (figures not comparable) …")
        prof = cProfile.Profile()
        prof.enable()
        measure_rebuild(index_path, args.batch_size, args.processes)
        prof.disable()
        prof.dump_stats(args.profile)
    # The machine is shared: each round measures the rebuild and the baselines back to back, so
    # a round's ratios compare like with like.
    rounds = []
    for i in range(args.rounds):
        log(f"Round {i + 1}: rebuild_index, {args.processes} processes …")
        r = {"load_average": [round(x, 2) for x in os.getloadavg()], "rebuild": measure_rebuild(index_path, args.batch_size, args.processes)}
        log(f"  {r['rebuild']['per_second']} profiles/s. jieba alone, {args.processes} processes …")
        r["jieba_two_cores"] = measure_jieba(chunks, args.processes)
        log(f"  {r['jieba_two_cores']['profiles_per_second']} profiles/s. jieba alone, long texts only, {args.processes} processes …")
        r["jieba_long_texts_two_cores"] = measure_jieba(long_chunks, args.processes)
        log(f"  {r['jieba_long_texts_two_cores']['profiles_per_second']} profiles/s. jieba alone, one core …")
        r["jieba_one_core"] = measure_jieba(chunks, 1)
        log(f"  {r['jieba_one_core']['profiles_per_second']} profiles/s.")
        rate = r["rebuild"]["per_second"]
        r["ratios"] = {
            f"rebuild_to_{k}": round(rate / r[k]["profiles_per_second"], 3) for k in ("jieba_two_cores", "jieba_long_texts_two_cores", "jieba_one_core")
        }
        r["cpu_ratios"] = {
            f"rebuild_to_{k}": round(r["rebuild"]["profiles_per_cpu_second"] / r[k]["profiles_per_cpu_second"], 3)
            for k in ("jieba_two_cores", "jieba_long_texts_two_cores", "jieba_one_core")
        }
        rounds.append(r)
    log("Digest …")
    digest = documents_digest(records_for_check)
    best = {k: max(r[k]["profiles_per_second"] for r in rounds) for k in ("jieba_two_cores", "jieba_long_texts_two_cores", "jieba_one_core")}
    best["rebuild"] = max(r["rebuild"]["per_second"] for r in rounds)
    print(
        json.dumps(
            {
                "benchmark": "expert-search indexing: rebuild_index end to end vs jieba alone, same profiles",
                "people": args.people,
                "batch_size": args.batch_size,
                "processes": args.processes,
                "seed": SEED,
                "machine": machine(),
                "load_average_start": [round(x, 2) for x in load_start],
                "load_average_end": [round(x, 2) for x in os.getloadavg()],
                "rounds": rounds,
                "best_profiles_per_second": best,
                "best_ratios": {f"rebuild_to_{k}": round(best["rebuild"] / best[k], 3) for k in best if k != "rebuild"},
                "documents_sha256": {"profiles": len(records_for_check), "sha256": digest},
                "seconds": round(time.perf_counter() - started, 1),
            },
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
