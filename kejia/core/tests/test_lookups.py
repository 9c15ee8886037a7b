from django.db import connection
from django.test.utils import CaptureQueriesContext

from kejia.organizations.models import Organization, decode_path, encode_segment


def test_encode_segment_is_fixed_width_and_ordered():
    assert encode_segment(1) == "000001"
    assert encode_segment(36) == "000010"
    assert decode_path(encode_segment(5) + encode_segment(123456)) == [5, 123456]
    assert sorted([encode_segment(i) for i in (9, 10, 35, 36)]) == [encode_segment(i) for i in (9, 10, 35, 36)]


def test_descends_lookup_matches_subtree_only(tree):
    codes = set(Organization.objects.filter(path__descends=tree.nj.path).values_list("code", flat=True))
    assert codes == {"NJ", "XW", "XW-MY", "XW-ENT", "QH"}


def test_descends_lookup_uses_the_path_index(tree):
    qs = Organization.objects.filter(path__descends=tree.nj.path).values("id")
    with CaptureQueriesContext(connection):
        sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " ".join(str(row) for row in cursor.fetchall())
            assert "USING" in plan and "INDEX" in plan, plan
        else:
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = " ".join(row[0] for row in cursor.fetchall())
            cursor.execute("SET enable_seqscan = on")
            assert "org_path_pattern" in plan or "Index" in plan, plan
