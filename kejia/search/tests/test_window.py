"""An offset far past the results must never reach tantivy: it allocates offset + limit hits up front
(10¹¹ asked for 1.6 TB and aborted the server). The API refuses it as a 422, the engine as a 400."""

import pytest

from kejia.core.api import MAX_LIMIT, MAX_OFFSET
from kejia.core.errors import DomainError
from kejia.search.engine import TantivyBackend
from kejia.search.indexing import get_backend


@pytest.fixture
def windows(monkeypatch):
    """The (offset, limit) each search asked tantivy for; a huge one is answered empty, not run."""
    seen = []
    real = TantivyBackend.search

    def spy(self, words, **kw):
        seen.append((kw.get("offset", 0), kw.get("limit", 10)))
        if kw.get("offset", 0) > MAX_OFFSET:
            return real(self, words, **{**kw, "offset": 0, "limit": 1})
        return real(self, words, **kw)

    monkeypatch.setattr(TantivyBackend, "search", spy)
    return seen


@pytest.mark.parametrize(
    "params",
    [
        {"offset": "100000000000", "limit": "1"},
        {"offset": "9223372036854775808"},
        {"offset": str(MAX_OFFSET + 1)},
        {"limit": str(MAX_LIMIT + 1)},
        {"offset": "-1"},
    ],
)
def test_experts_api_refuses_a_window_past_the_bound(client, tree, add_person, windows, params):
    add_person("王专长", expertise="光学成像")
    client.force_login(tree.county_leader)
    response = client.get("/api/experts", params)
    assert response.status_code == 422, response.content
    assert response.json()["field"] in params
    assert all(offset <= MAX_OFFSET for offset, _ in windows)


def test_experts_api_pages_within_the_bound(client, tree, add_person, windows):
    add_person("王专长", expertise="光学成像")
    client.force_login(tree.county_leader)
    response = client.get("/api/experts", {"q": "光学", "offset": MAX_OFFSET, "limit": 1})
    assert response.status_code == 200 and response.json()["items"] == []
    assert windows == [(MAX_OFFSET, 1)]


def test_engine_refuses_a_window_past_the_bound(tree, add_person):
    add_person("王专长", expertise="光学成像")
    backend = get_backend()
    # Just past the bound (far past it would abort this process if the guard regressed).
    with pytest.raises(DomainError) as refused:
        backend.search([], offset=MAX_OFFSET + 1, limit=1)
    assert refused.value.field == "offset"
    with pytest.raises(DomainError) as refused:
        backend.search([], offset=0, limit=MAX_LIMIT + 1)
    assert refused.value.field == "limit"
