import json
import threading
import time

import pytest
from django.core.management import CommandError, call_command

from kejia.search.engine import IndexDoc, TantivyBackend, WriterBusy
from kejia.search.indexing import get_backend, reset_backend
from kejia.search.text import parse_query


def test_rebuild_search_index_from_database(tree, add_person, capsys):
    add_person("甲", expertise="桥梁")
    add_person("乙", expertise="隧道")
    # Forget the index: the rebuild must find everyone in the database again.
    backend = get_backend()
    backend.delete([h.id for h in backend.search(parse_query("桥梁")).hits])
    assert backend.count() == 1
    call_command("rebuild_search_index", "--processes", "2", "--batch-size", "1")
    out, err = capsys.readouterr()
    stats = json.loads(out)
    assert stats["documents"] == 2 and "indexed" in err
    reset_backend()
    assert get_backend().count() == 2
    assert [h.id for h in get_backend().search(parse_query("桥梁")).hits]


def test_rebuild_search_index_replaces_outdated_schema(tree, add_person, search_index_dir):
    add_person("甲", expertise="桥梁")
    (search_index_dir / "KEJIA_SCHEMA").write_text("0")
    reset_backend()
    call_command("rebuild_search_index", "--processes", "1")
    reset_backend()
    assert get_backend().count() == 1


def test_find_experts_command_json(tree, add_person, capsys):
    add_person("王专长", expertise="光学成像", employer_name="南京大学", title="教授")
    add_person("李其他", expertise="作物育种")
    call_command("find_experts", "光学成像", "--limit", "10", "--json")
    rows = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in rows] == ["王专长"]
    assert rows[0]["employer"] == "南京大学" and rows[0]["title"] == "教授"
    assert set(rows[0]) == {"id", "name", "employer", "title", "score", "matched"} and rows[0]["matched"] == ["光学", "成像"]


def test_find_experts_command_user_scope_and_filters(tree, add_person, capsys):
    add_person("玄武", expertise="桥梁", sector="enterprise")
    add_person("秦淮", expertise="桥梁", org=tree.qh, actor=tree.sibling_staff)
    call_command("find_experts", "桥梁", "--json", "--user", "qh_staff")
    assert [r["name"] for r in json.loads(capsys.readouterr().out)] == ["秦淮"]
    call_command("find_experts", "桥梁", "--json", "--sector", "enterprise")
    assert [r["name"] for r in json.loads(capsys.readouterr().out)] == ["玄武"]
    with pytest.raises(CommandError):
        call_command("find_experts", "桥梁", "--json", "--age-max", "200")
    with pytest.raises(CommandError):
        call_command("find_experts", "桥梁", "--user", "nobody")


def test_find_experts_command_affinity_text(tree, add_person, capsys):
    add_person("植保", expertise="无人机植保 病虫害")
    call_command("find_experts", "利用无人机开展水稻病虫害防治", "--affinity")
    out = capsys.readouterr().out
    assert "植保" in out and "(1 in all)" in out


def test_find_experts_command_affinity_pages_and_refuses_a_long_text(tree, add_person, capsys):
    from kejia.search.services import MAX_TEXT_CHARS

    add_person("植保", expertise="无人机植保 病虫害")
    add_person("病害", expertise="病虫害")
    call_command("find_experts", "利用无人机开展水稻病虫害防治", "--affinity", "--json", "--limit", "1")
    first = json.loads(capsys.readouterr().out)
    call_command("find_experts", "利用无人机开展水稻病虫害防治", "--affinity", "--json", "--limit", "1", "--offset", "1")
    second = json.loads(capsys.readouterr().out)
    assert len(first) == len(second) == 1 and first[0]["id"] != second[0]["id"]
    with pytest.raises(CommandError, match=str(MAX_TEXT_CHARS)):
        call_command("find_experts", "病" * (MAX_TEXT_CHARS + 1), "--affinity")


def test_writer_waits_for_a_busy_lock_then_gives_up(tmp_path):
    first = TantivyBackend(tmp_path / "idx")
    second = TantivyBackend(tmp_path / "idx", writer_timeout=0.3)
    with first.writer() as w:
        w.add(IndexDoc(id=1, expertise="桥梁"))
        with pytest.raises(WriterBusy):
            second.index_documents([IndexDoc(id=2, expertise="隧道")])
    # Released after the commit: a waiting writer gets through.
    second.writer_timeout = 10
    holder = first.writer()
    holder.__enter__()
    threading.Timer(0.3, holder.__exit__, (None, None, None)).start()
    started = time.monotonic()
    second.index_documents([IndexDoc(id=2, expertise="隧道")])
    assert time.monotonic() - started >= 0.2
    second.refresh()
    assert second.count() == 2
