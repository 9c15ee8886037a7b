"""Work spread over forked worker processes while this process keeps the database connection:
tasks go out a bounded number at a time and their results come back in task order, so the
caller can write them as if it had done them itself (kejia.search.indexing.rebuild_index,
kejia.imports.people.check_rows)."""

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any


def ordered_map(pool, func: Callable[[Any], Any], tasks: Iterable, *, in_flight: int, waited: Callable[[float], None] | None = None) -> Iterator[Any]:
    """func(task) for every task, run by `pool` (a multiprocessing pool), at most `in_flight`
    tasks waiting for their result, the results yielded in the order of `tasks`. `waited` is told
    how long each wait for a result took (how much the workers held the caller up)."""
    pending: deque = deque()

    def collect():
        started = time.perf_counter()
        result = pending.popleft().get()
        if waited:
            waited(time.perf_counter() - started)
        return result

    for task in tasks:
        pending.append(pool.apply_async(func, (task,)))
        if len(pending) > in_flight:
            yield collect()
    while pending:
        yield collect()
