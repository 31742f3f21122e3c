"""Deadlines as an iCalendar file: for each member not yet compliant, all-day events.

The submission opening, the due date and the revocation date (P-REVOKE), and
the end of an open extension (P-EXTENSION), each naming what is short. UIDs
are derived from the member, the period's due date and the kind of event, so
importing next month's file updates these events instead of adding copies;
DTSTAMP is the evaluation date (midnight UTC), so the same roster on the same
``as_of`` gives the same file, byte for byte.

The file is written as a stream (header, events a member at a time, footer),
never built whole. icalendar (the ``calendar`` extra) escapes and folds the text.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING

from . import __version__
from ._models import ComplianceReport
from ._rows import shortfalls

if TYPE_CHECKING:
    import icalendar

_UID_NAMESPACE = uuid.UUID("6f1d3b1e-4c8e-5a43-9b0e-1f2a3c4d5e6f")
CALENDAR_FOOTER = b"END:VCALENDAR\r\n"
_EXTRA = 'the calendar needs icalendar: pip install "ceu-compliance[calendar]"'


def require_icalendar() -> None:
    """Raise ImportError with the install command when the ``calendar`` extra is missing."""
    try:
        import icalendar  # noqa: F401
    except ImportError:
        raise ImportError(_EXTRA) from None


def calendar_header() -> bytes:
    """The VCALENDAR lines before the first event."""
    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", f"-//ceu-compliance//CEU deadlines {__version__}//EN")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "CEU deadlines")
    whole: bytes = calendar.to_ical()
    return whole.removesuffix(CALENDAR_FOOTER)


def deadline_events(report: ComplianceReport) -> bytes:
    """The member's events as VEVENT text, or nothing when the member is compliant."""
    if report.compliant:
        return b""
    deadlines = report.deadlines
    short = shortfalls(report)
    events = [
        ("submission-opens", deadlines.submission_opens, "CEU submission opens"),
        ("due", deadlines.due, "CEUs due"),
        ("revocation", deadlines.revocation, "credentials revoked unless CEUs are submitted"),
    ]
    if deadlines.extension_until is not None:
        events.append(("extension-ends", deadlines.extension_until, "CEU extension ends"))
    description = "\n".join(
        [
            f"Status on {report.as_of}: {report.status.value}.",
            f"Short: {short}.",
            f"Renewal period {report.period.start} to {report.period.end}: submission opens "
            f"{deadlines.submission_opens}, due {deadlines.due}, revocation "
            f"{deadlines.revocation} (P-REVOKE).",
            f"Evaluated with rule pack {report.rules}.",
        ]
    )
    return b"".join(
        _event(report, kind, day, f"{report.member_id}: {what} (short {short})", description)
        for kind, day, what in events
    )


def _event(
    report: ComplianceReport, kind: str, day: dt.date, summary: str, description: str
) -> bytes:
    import icalendar

    event: icalendar.Event = icalendar.Event()
    key = f"{report.member_id}|{report.deadlines.due}|{kind}"
    event.add("uid", f"{uuid.uuid5(_UID_NAMESPACE, key)}@ceu-compliance")
    event.add("dtstamp", dt.datetime.combine(report.as_of, dt.time(), tzinfo=dt.UTC))
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("transp", "TRANSPARENT")  # a reminder, not busy time
    ical: bytes = event.to_ical()
    return ical
