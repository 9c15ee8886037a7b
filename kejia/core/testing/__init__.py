"""Test machinery shared by the apps' test modules (imported by tests only, never by the application).

The asserts of its modules are rewritten by pytest like a test module's, so a failing one explains itself."""

import pytest

pytest.register_assert_rewrite("kejia.core.testing.scope_matrix")
