"""Rich text (kejia.core.richtext): scripts, event handlers and javascript: links never survive,
on storing or on rendering; the allowed tags stay; plain text keeps its line breaks."""

import pytest
from django.template import Context, Template

from kejia.core import richtext

ATTACKS = [
    '<p>通知</p><script>alert("x")</script>',
    '<p onclick="alert(1)" onmouseover="x()">通知</p>',
    '<a href="javascript:alert(1)">通知</a>',
    '<a href="JaVaScRiPt:alert(1)">通知</a>',
    '<img src="x" onerror="alert(1)">通知',
    '<iframe src="https://example.cn"></iframe>通知',
    '<p style="background:url(javascript:alert(1))">通知</p>',
    "<svg onload=alert(1)>通知</svg>",
]


@pytest.mark.parametrize("html", ATTACKS)
def test_sanitise_strips_scripts_handlers_and_javascript_urls(html):
    for out in (richtext.sanitise(html), str(richtext.render(html))):
        lowered = out.lower()
        assert "<script" not in lowered and "javascript:" not in lowered and "onerror" not in lowered
        assert "onclick" not in lowered and "onload" not in lowered and "onmouseover" not in lowered
        assert "<iframe" not in lowered and "<img" not in lowered and "style=" not in lowered
        assert "通知" in out


def test_allowed_tags_and_links_stay():
    html = '<h3>一、目标</h3><p><strong>重点</strong>与<em>要求</em></p><ul><li>甲</li></ul><a href="https://www.cast.org.cn/">中国科协</a>'
    out = richtext.sanitise(html)
    for part in ("<h3>一、目标</h3>", "<strong>重点</strong>", "<em>要求</em>", "<li>甲</li>", 'href="https://www.cast.org.cn/"'):
        assert part in out


def test_plain_text_is_escaped_with_its_line_breaks():
    out = str(richtext.render("第一行\n第二行 & <3"))
    assert "<br>" in out and "&amp;" in out and "&lt;3" in out


def test_template_filter_renders_only_cleaned_html():
    out = Template("{% load richtext %}{{ v|richtext }}").render(Context({"v": '<p onclick="x()">好</p><script>bad()</script>'}))
    assert out == "<p>好</p>"
