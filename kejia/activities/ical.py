"""iCalendar feeds (RFC 5545), written by hand: CRLF line ends, lines folded at 75 octets (never
inside a UTF-8 character), TEXT values escaped, one stable UID per event, times in UTC."""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone

from kejia.activities.choices import EventStatus
from kejia.activities.models import Event

PRODID = "-//Kejia//Activities 1.0//ZH"
LIMIT = 75


def escape(text: str) -> str:
    """TEXT escaping (RFC 5545 §3.3.11): backslash, semicolon, comma, newline."""
    return str(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def fold(line: str) -> str:
    """Fold a content line into pieces of at most 75 octets, continuation lines starting with a space."""
    raw = line.encode()
    if len(raw) <= LIMIT:
        return line
    pieces, current, size, limit = [], [], 0, LIMIT
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            pieces.append("".join(current))
            current, size, limit = [], 0, LIMIT - 1  # the leading space counts
        current.append(char)
        size += width
    pieces.append("".join(current))
    return "\r\n ".join(pieces)


def utc(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def uid(event: Event) -> str:
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "kejia"
    return f"event-{event.pk}@{host}"


def _event_lines(event: Event, *, stamp: datetime.datetime) -> list[str]:
    url = settings.SITE_URL + event.get_absolute_url()
    location = event.place or event.online_url
    description = "\n".join(part for part in (event.organization.name, event.description.strip(), event.online_url, url) if part)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid(event)}",
        f"DTSTAMP:{utc(stamp)}",
        f"DTSTART:{utc(event.starts_at)}",
        f"DTEND:{utc(event.ends_at)}",
        f"SUMMARY:{escape(event.title)}",
        f"DESCRIPTION:{escape(description)}",
        f"URL:{url}",
        f"CATEGORIES:{escape(event.get_kind_display())}",
        f"STATUS:{'CANCELLED' if event.status == EventStatus.CANCELLED else 'CONFIRMED'}",
        f"LAST-MODIFIED:{utc(event.updated_at)}",
    ]
    if location:
        lines.insert(6, f"LOCATION:{escape(location)}")
    lines.append("END:VEVENT")
    return lines


def calendar(events: Iterable[Event], *, name: str, now: datetime.datetime | None = None) -> str:
    stamp = now or timezone.now()
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
        "X-WR-TIMEZONE:Asia/Shanghai",
    ]
    for event in events:
        lines.extend(_event_lines(event, stamp=stamp))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
