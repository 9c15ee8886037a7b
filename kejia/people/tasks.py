"""The talent list's background tasks (the worker: `manage.py db_worker`)."""

from django_tasks import task

from kejia.people.models import ExportStatus, PeopleExport


@task()
def run_people_export(export_id: int) -> str:
    from kejia.people.exports import discard_expired_exports, run_export

    discard_expired_exports()
    export = PeopleExport.objects.select_related("requester").filter(pk=export_id).first()
    if export is None or export.status != ExportStatus.QUEUED:
        return "skipped"
    return run_export(export).status
