"""Celery tasks of the batch export; each is safe to run twice (a redelivered or resumed message)."""

import logging

from celery import shared_task
from celery.signals import worker_process_init, worker_ready
from django.utils import timezone

from .models import ExportItem, ExportJob, ExportStatus
from .services import batch
from .services.pdf import PdfError, warm
from .services.stored import KIND_OF, store

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def run_export(job_id: str) -> None:
    """Start (or resume) a job: queue every item not yet rendered, or assemble when all are."""
    ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, heartbeat_at=timezone.now()
    )
    pending = list(ExportItem.objects.filter(job_id=job_id, done=False).values_list("pk", flat=True))
    for item_id in pending:
        render_export_item.delay(item_id)
    if not pending and batch.claim_assembly(job_id):
        assemble_export.delay(job_id)


@shared_task(acks_late=True)
def render_export_item(item_id: int) -> None:
    item = ExportItem.objects.filter(pk=item_id).only("job_id").first()
    if item is None:
        return
    try:
        batch.render_item(item_id)
    except PdfError as exc:
        batch.fail(item.job_id, str(exc))
        return
    except Exception:
        logger.exception("export item %s failed", item_id)
        batch.fail(item.job_id, "生成 PDF 时出错，请联系管理员。")
        return
    if batch.claim_assembly(item.job_id):
        assemble_export.delay(str(item.job_id))


@shared_task(acks_late=True)
def assemble_export(job_id: str) -> None:
    try:
        batch.assemble(job_id)
    except Exception:
        logger.exception("export %s could not be assembled", job_id)
        batch.fail(job_id, "打包压缩文件时出错，请联系管理员。")


@shared_task(acks_late=True)
def store_final_pdf(kind: str, object_id: int) -> None:
    """Render and keep the PDF of a form that has just been signed or approved."""

    try:
        store(batch.LOADERS[kind](object_id))
    except PdfError:
        logger.exception("the PDF of %s %s could not be stored; it will render on demand", kind, object_id)


def on_evaluation_signed(sender, evaluation_id, **kwargs) -> None:
    store_final_pdf.delay("evaluation", evaluation_id)


def on_monitoring_approved(sender, form_id, **kwargs) -> None:
    store_final_pdf.delay("monitoring", form_id)


def on_declaration_approved(sender, declaration_id, **kwargs) -> None:

    store_final_pdf.delay(KIND_OF[sender], declaration_id)


@worker_process_init.connect
@worker_ready.connect
def warm_renderer(sender=None, **kwargs) -> None:
    """A worker process loads the print stylesheet and fonts before its first task (and freezes them with
    the rest of its long-lived objects, see ``pdf._stylesheet_and_fonts``), not in the middle of one."""

    warm()


@worker_ready.connect
def resume_on_start(sender=None, **kwargs) -> None:
    """A worker that starts picks up the jobs a stopped worker left."""
    resumed = batch.resume_jobs()
    if resumed:
        logger.info("resumed export jobs: %s", ", ".join(resumed))
