"""A forked worker (the import's and the index rebuild's pools) does not keep the parent's tantivy
lock files: with flock, a lock held through a file descriptor the child inherited stays held until
the child closes it, and the parent's next index reload or commit waited for as long as the
worker lived (a rebuild hung that way)."""

import fcntl
import multiprocessing
import os

import kejia.search.engine  # noqa: F401 — registers the after-fork hook


def _hold(ready, done) -> None:
    ready.set()
    done.wait(30)


def _locked_by_someone(path) -> bool:
    fd = os.open(path, os.O_WRONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def test_a_forked_child_does_not_keep_the_parents_index_lock(tmp_path):
    lock = tmp_path / ".tantivy-meta.lock"
    other = tmp_path / "other.lock"  # not tantivy's: left alone
    fd, other_fd = os.open(lock, os.O_CREAT | os.O_WRONLY), os.open(other, os.O_CREAT | os.O_WRONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    fcntl.flock(other_fd, fcntl.LOCK_EX)
    context = multiprocessing.get_context("fork")
    ready, done = context.Event(), context.Event()
    child = context.Process(target=_hold, args=(ready, done))
    child.start()  # forked while the parent holds both locks
    try:
        assert ready.wait(30)
        os.close(fd)  # the parent lets go, as tantivy does after reading meta.json
        os.close(other_fd)
        assert not _locked_by_someone(lock)  # the child closed its copy: free at once
        assert _locked_by_someone(other)  # any other file the child inherited is untouched
    finally:
        done.set()
        child.join(30)
