"""Scope matrix of volunteering: every page route and API operation with an object id, for each actor
outside and inside scope. `MATRIX_ROUTES` names them for the route guard in
kejia/organizations/tests/test_scope_matrix.py."""

MATRIX_ROUTES: list[str] = []
