"""One world per test module: conftest's reference data and federation (`tree`) built once, every
test run in a savepoint rolled back after it.

    _world, db, tree = worlds.shared_tree()

in a test module replaces, for that module, pytest-django's `db` (a savepoint in the module's
transaction instead of a transaction per test) and conftest's `tree` (built once instead of per
test). Each test gets its own deep copy of the built namespace, so a test that changes an object
in hand (`tree.xw.name = …`, a cached relation) leaves the next test the objects as built; what it
writes to the database is undone by the savepoint. A module whose tests need a transaction of
their own (`django_db(transaction=True)`) cannot use it. The scope matrices do the same with more
(`scope_matrix.fixtures`)."""

import contextlib
import copy

import pytest

from kejia.core.testing.scope_matrix import build_tree, rolled_back


def shared_tree() -> tuple:
    """The module's fixtures `(_world, db, tree)`."""

    @pytest.fixture(scope="module", name="_world")
    def _world(django_db_setup, django_db_blocker):
        with contextlib.ExitStack() as stack:
            stack.enter_context(django_db_blocker.unblock())
            stack.enter_context(rolled_back())
            yield build_tree()

    @pytest.fixture(name="db")
    def db(_world):
        """A savepoint in the module's transaction, so what a test writes is undone after it."""
        with rolled_back():
            yield

    @pytest.fixture(name="tree")
    def tree(_world, db):
        return copy.deepcopy(_world)

    return _world, db, tree
