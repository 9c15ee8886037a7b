"""Rich text of a call (notice, guide): sanitised with nh3 when it is installed, else kept as
plain text (tags removed) and shown escaped with line breaks."""

import re

try:  # optional dependency
    import nh3
except ImportError:  # pragma: no cover - depends on the environment
    nh3 = None

TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "a"}


def sanitise(value: str) -> str:
    value = (value or "").strip()
    if nh3 is not None:
        return nh3.clean(value, tags=TAGS, attributes={"a": {"href"}}, url_schemes={"https", "http"})
    return re.sub(r"<[^>]*>", "", value)
