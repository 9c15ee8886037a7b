"""Charts as SVG drawn on the server: no script, no CDN. Drawn for a phone's width (the SVG is
360 units wide and scales to the screen; on a wide screen the stylesheet caps its width)."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 360
ROW = 38  # a label line above its bar
BAR = 14
COLOURS = ("#2563eb", "#059669", "#d97706", "#dc2626", "#7c3aed", "#0891b2")


def _short(text: str, limit: int = 26) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _value(bar, unit: str) -> str:
    return f"{bar.count} · {bar.share}{unit}" if unit else f"{bar.share} · n={bar.count}"


def bar_chart(bars, *, title: str = "", unit: str = "%") -> SafeString:
    """Horizontal bars, one per option: the label above, the bar (its share), count and share.
    With `unit=""` the bar is a score (0–100) and the count is the number of answers."""
    if not bars:
        return mark_safe("")
    height = len(bars) * ROW + 6
    top = 100.0 if not unit else max((b.share for b in bars), default=0) or 1
    room = WIDTH - 96
    parts = [f'<svg class="chart" role="img" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" aria-label="{escape(title)}">']
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    for i, bar in enumerate(bars):
        y = i * ROW + 4
        width = max(0.0, room * bar.share / top)
        parts.append(f'<text x="0" y="{y + 12}" font-size="13" fill="#1f2937">{escape(_short(bar.label))}</text>')
        parts.append(f'<rect x="0" y="{y + 17}" width="{room}" height="{BAR}" rx="3" fill="#eef2f7"/>')
        parts.append(
            f'<rect x="0" y="{y + 17}" width="{width:.1f}" height="{BAR}" rx="3" fill="{COLOURS[0]}">'
            f"<title>{escape(bar.label)}: {escape(_value(bar, unit))}</title></rect>"
        )
        parts.append(f'<text x="{room + 6}" y="{y + 29}" font-size="12" fill="#374151">{escape(_value(bar, unit))}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def trend_chart(series: dict[str, list[tuple[str, float | None]]], *, title: str = "") -> SafeString:
    """Grouped bars of a score (0–100) per period, one colour per series (an organization), with a
    legend below."""
    periods = sorted({p for points in series.values() for p, _v in points})
    if not periods or not series:
        return mark_safe("")
    names = list(series)[: len(COLOURS)]
    plot = 150
    group = (WIDTH - 40) / len(periods)
    bar = min(18.0, (group - 12) / len(names))
    legend_top = plot + 40
    height = legend_top + len(names) * 18
    parts = [f'<svg class="chart" role="img" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" aria-label="{escape(title)}">']
    for tick in (0, 50, 100):
        y = 10 + plot - tick * plot / 100
        parts.append(
            f'<line x1="32" x2="{WIDTH}" y1="{y}" y2="{y}" stroke="#e5e7eb"/>'
            f'<text x="28" y="{y + 4}" text-anchor="end" font-size="11" fill="#6b7280">{tick}</text>'
        )
    for pi, period in enumerate(periods):
        x = 40 + pi * group
        for si, name in enumerate(names):
            value = dict(series[name]).get(period)
            if value is None:
                continue
            h = value * plot / 100
            parts.append(
                f'<rect x="{x + si * bar:.1f}" y="{10 + plot - h:.1f}" width="{bar - 2:.1f}" height="{h:.1f}" '
                f'fill="{COLOURS[si]}"><title>{escape(name)} {escape(period)}: {value}</title></rect>'
            )
        parts.append(f'<text x="{x}" y="{plot + 28}" font-size="12" fill="#374151">{escape(period)}</text>')
    for si, name in enumerate(names):
        y = legend_top + si * 18
        parts.append(
            f'<rect x="0" y="{y}" width="12" height="12" fill="{COLOURS[si]}"/>'
            f'<text x="18" y="{y + 11}" font-size="12" fill="#1f2937">{escape(_short(name, 30))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
