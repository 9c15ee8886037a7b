"""An application printed as the official form (seed 004, 附件2 申报书): the cover page (the
organization running the call, the form's title, the cover fields such as 试点单位 and 申报单位, the
month), then each section with its tables and sign-off blocks, in DOCX (kejia.calls.print_docx,
python-docx) and PDF (kejia.calls.print_pdf, reportlab with a TrueType Chinese font embedded as a
subset). Both are drawn from one layout built here, so they say the same thing.

The layout is made from the form definition, so any form prints: short answers as label | value
rows, long answers as a label and paragraphs, tables with their header (a table of fixed rows with
more columns than rows is turned a quarter as on the paper form: the rows 申报单位负责人 and 试点单位负责人
become its columns), sign-off blocks with the opinion, the signer, the seal image when one is stored,
and the date. A blank answer prints "/" when the form says so (填报说明 一: 如无内容请填“/”); a
field that does not apply (试点单位意见 for a provincial pilot) is left out, as on the page.

The file is named after the 申报单位 (the notice: 文件名为“申报单位”): the answer of the first field
labelled 申报单位, else the applying organization's (or person's) name. A call's applications come
as one ZIP, written while it is sent (`archive_chunks`)."""

import datetime
import io
import logging
import zipfile
from collections.abc import Iterable, Iterator

from django.utils import translation
from django.utils.translation import gettext

from kejia.calls import print_docx, print_pdf, selectors
from kejia.calls.choices import ApplicationStatus
from kejia.calls.models import Application, Call
from kejia.calls.print_layout import filename_base, layout, safe_name
from kejia.core.audit import record_event

__all__ = ["FORMATS", "archive_applications", "archive_chunks", "filename", "filename_base", "layout", "render", "safe_name"]

log = logging.getLogger(__name__)

FORMATS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def filename(application: Application, fmt: str) -> str:
    return f"{filename_base(application)}.{fmt}"


def render(application: Application, fmt: str) -> bytes:
    """The application as a file of the format (pdf or docx)."""
    if fmt == "pdf":
        return print_pdf.render_pdf(layout(application))
    if fmt == "docx":
        return print_docx.render_docx(layout(application))
    raise ValueError(fmt)


def archive_applications(call, user):
    """The applications of a call that go into its archive: those in the user's view past the
    draft, withdrawn ones left out, in the order they were made."""
    return (
        selectors.visible_applications(user, call=call)
        .exclude(status__in=[ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN])
        .select_related("form", "applicant_user")
        .order_by("pk")
    )


class _Sink(io.RawIOBase):
    """Where the ZIP writer puts its bytes until they are sent (the writer does not seek)."""

    def __init__(self):
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        return data


def archive_chunks(applications: Iterable[Application], fmt: str) -> Iterator[bytes]:
    """A ZIP of the applications, one file each named after its 申报单位 (a repeated name gets
    （2）, （3）…), yielded file by file so that a large call starts downloading at once. A missing
    Chinese font is refused here, before the response starts; an application that fails to print
    later gets a text file saying so in its place (the download cannot turn into an error page)."""
    if fmt == "pdf":
        print_pdf.fonts()
    return _archive(applications, fmt)


def _archive(applications: Iterable[Application], fmt: str) -> Iterator[bytes]:
    sink = _Sink()
    seen: dict[str, int] = {}
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        for application in applications:
            base = filename_base(application)
            seen[base] = seen.get(base, 0) + 1
            name = base if seen[base] == 1 else f"{base}（{seen[base]}）"
            try:
                entry, data = f"{name}.{fmt}", render(application, fmt)
            except Exception:
                log.exception("application %s could not be printed", application.pk)
                with translation.override("zh-hans"):
                    message = gettext("Application %(id)s could not be printed; download it on its own page.") % {"id": application.pk}
                entry, data = f"{name}.txt", message.encode()
            archive.writestr(zipfile.ZipInfo(entry, date_time=_zip_time(application)), data)
            yield sink.take()
    yield sink.take()


def _zip_time(application: Application) -> tuple[int, int, int, int, int, int]:
    when = application.submitted_at or application.updated_at
    when = when.astimezone(datetime.UTC) if when else datetime.datetime(1980, 1, 1, tzinfo=datetime.UTC)
    return (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)


def record_print(application: Application, *, actor, fmt: str) -> None:
    """A printed application shows the applicant's contact details (the heads' phones, e-mail and
    addresses): each download is audited, who and in which format, never its content."""
    record_event(actor=actor, action="calls.print_application", obj=application, organization=application.call.owner, new={"format": fmt})


def record_archive(call: Call, *, actor, fmt: str) -> None:
    """The call's archive holds every applicant's contact details: each download is audited."""
    record_event(actor=actor, action="calls.download_archive", obj=call, organization=call.owner, new={"format": fmt})
