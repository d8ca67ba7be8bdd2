"""Render once, serve many: the stored PDF of a final form (signed self-evaluation, approved declaration or
monitoring form).

A form is final when it is signed or approved. Its PDF is rendered in the background at that moment
(``reports.tasks.store_final_pdf``) and kept through Django's storage API under its content digest and
the time it became final, so a form reopened and signed again, or adjusted and approved again, gets a
new file. Forms that are not final are rendered on demand and never stored.
"""

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from projects.choices import DeclarationStatus
from projects.models import DepartmentDeclaration, MonitoringForm, ProjectDeclaration
from projects.services.monitoring_figures import rule_stamp
from projects.services.monitoring_lights import LIGHTS_VERSION
from selfeval.choices import EvaluationStatus
from selfeval.models import SelfEvaluation

from ..models import StoredPdf
from .index import index_row
from .pdf import form_pdf

KIND_OF = {
    ProjectDeclaration: "declaration",
    DepartmentDeclaration: "department_declaration",
    SelfEvaluation: "evaluation",
    MonitoringForm: "monitoring",
}
# What a declaration's digest leaves out: its identity, the workflow apart from the review, timestamps.
SKIP = {
    "id",
    "created_at",
    "updated_at",
    "submitted_by_id",
    "submitted_at",
    "adjustment_requested",
    "adjustment_reason",
}
DECLARATION_PARTS = {
    ProjectDeclaration: ["basis_items", "prior_years", "funding_sources", "expense_items", "procurement_items", "goals", "indicators"],
    DepartmentDeclaration: ["fund_lines", "goals", "indicators"],
}  # fmt: skip


@dataclass(frozen=True)
class FinalKey:
    kind: str
    object_id: int
    digest: str
    stamp: str


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _fields(obj, skip=()) -> dict:
    return {f.attname: _plain(getattr(obj, f.attname)) for f in obj._meta.concrete_fields if f.attname not in skip}


def declaration_digest(declaration) -> str:
    """SHA-256 of everything an approved declaration prints, its lines and its review."""
    content = _fields(declaration, SKIP)
    for relation in DECLARATION_PARTS[type(declaration)]:
        parts = sorted(getattr(declaration, relation).all(), key=lambda p: p.pk)
        content[relation] = [_fields(p, {"id"}) for p in parts]
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# What a monitoring form's digest leaves out: its identity, the copy counter, the workflow apart from the review.
MONITORING_SKIP = {"id", "created_at", "updated_at", "version", "submitted_by_id", "submitted_at"}


def monitoring_digest(form: MonitoringForm) -> str:
    """SHA-256 of everything an approved monitoring form prints: its figures, rows and review, the decisions recorded
    on it, and what its lights are read with (its rule's thresholds and period, the lights' code), so that a later
    decision or an edited rule gives a new file rather than a stale one (loaded by ``selectors.monitoring_page``)."""
    content = _fields(form, MONITORING_SKIP)
    for relation in ("budget_lines", "rows"):
        content[relation] = [_fields(p, {"id"}) for p in sorted(getattr(form, relation).all(), key=lambda p: p.pk)]
    content["decisions"] = [_fields(d, {"id"}) for d in sorted(form.decisions.all(), key=lambda d: d.pk)]
    content["lights"] = [rule_stamp(form.period.rule, form.period), LIGHTS_VERSION]
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _stamp(moment) -> str:
    return timezone.localtime(moment).strftime("%Y%m%d%H%M%S%f") if moment else ""


def final_key(form) -> FinalKey | None:
    """The key of a final form's stored PDF, or None when the form is not final."""
    kind = KIND_OF.get(type(form))
    if kind is None:
        return None
    if kind == "evaluation":
        if form.status != EvaluationStatus.SIGNED or not form.signed_digest:
            return None
        return FinalKey(kind, form.pk, form.signed_digest, _stamp(form.signed_at))
    if form.status != DeclarationStatus.APPROVED:
        return None
    digest = monitoring_digest(form) if kind == "monitoring" else declaration_digest(form)
    return FinalKey(kind, form.pk, digest, _stamp(form.reviewed_at))


def final_moment(form):
    return form.signed_at if isinstance(form, SelfEvaluation) else form.reviewed_at


def present(stored: StoredPdf | None) -> StoredPdf | None:
    """``stored`` if its file is still in storage; otherwise the row is dropped so that the PDF is made again.

    A database restored onto a machine without the old files (backups hold no files) keeps rows whose files
    are gone; serving them would fail, rendering them again is always possible.
    """
    if stored is None or default_storage.exists(stored.file.name):
        return stored
    StoredPdf.objects.filter(pk=stored.pk).delete()
    return None


def stored_for(key: FinalKey | None) -> StoredPdf | None:
    if key is None:
        return None
    return present(
        StoredPdf.objects.filter(kind=key.kind, object_id=key.object_id, digest=key.digest, stamp=key.stamp).first()
    )


def store(form) -> StoredPdf | None:
    """Render and store a final form's PDF (once: an existing file for the same key is reused)."""

    key = final_key(form)
    if key is None:
        return None
    if existing := stored_for(key):
        return existing
    filename, pdf = form_pdf(form, printed_at=final_moment(form))
    path = default_storage.save(f"pdfs/{key.kind}/{key.object_id}/{key.digest[:16]}-{key.stamp}.pdf", ContentFile(pdf))
    try:
        with transaction.atomic():
            return StoredPdf.objects.create(
                kind=key.kind, object_id=key.object_id, digest=key.digest, stamp=key.stamp, file=path,
                filename=filename, index_row=index_row(key.kind, form, filename),
            )  # fmt: skip
    except IntegrityError:  # rendered by somebody else meanwhile
        default_storage.delete(path)
        return stored_for(key)


def signed_evaluation_files(evaluation_ids) -> dict[int, StoredPdf]:
    """The stored PDFs of those of ``evaluation_ids`` that are signed, current and stored (2 queries, and one
    look at the storage per file)."""
    keys = {
        pk: (digest, _stamp(signed_at))
        for pk, digest, signed_at in SelfEvaluation.objects.filter(
            pk__in=list(evaluation_ids), status=EvaluationStatus.SIGNED
        ).values_list("pk", "signed_digest", "signed_at")
    }
    found = {}
    for stored in StoredPdf.objects.filter(kind="evaluation", object_id__in=list(keys)):
        if keys.get(stored.object_id) == (stored.digest, stored.stamp) and present(stored):
            found[stored.object_id] = stored
    return found
