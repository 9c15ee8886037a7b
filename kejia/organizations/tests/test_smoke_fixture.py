from kejia.organizations import selectors


def test_tree_fixture_scopes_county_staff_to_its_county(tree):
    visible = set(selectors.visible_organizations(tree.county_staff).values_list("code", flat=True))
    assert visible == {"XW", "XW-MY", "XW-ENT"}
