"""What a self-evaluation's stored check is made from, beyond the form itself: its monitoring forms' last change and
its scheme's stamp (read by ``checks`` and by the batches' plain-data loading, ``batch``)."""

from django.db.models import OuterRef, Subquery

from projects.models import MonitoringForm, ScoringScheme
from projects.services.checks import digest


def monitoring_changed() -> Subquery:
    """The last change of any 运行监控 form of a self-evaluation's declaration (None without one), as an annotation:
    the cross-stage checker reads the latest submitted one, so a change of any of them may change the findings."""
    forms = MonitoringForm.objects.filter(declaration=OuterRef("declaration")).order_by("-updated_at")
    return Subquery(forms.values("updated_at")[:1])


def scheme_stamp(scheme: ScoringScheme) -> str:
    """A short digest of a scheme's rules and sections (read from the scheme as loaded, sections prefetched)."""
    parts = [
        scheme.code, scheme.layout, scheme.budget_rate_places, scheme.cap_budget_score, scheme.reverse_rule,
        scheme.score_places, scheme.deviation_above, scheme.weights_per_form, scheme.grade_bands, scheme.full_points,
        scheme.rate_in_percent,
    ]  # fmt: skip
    return digest(parts + [(s.code, s.kind, s.points) for s in scheme.sections.all()])
