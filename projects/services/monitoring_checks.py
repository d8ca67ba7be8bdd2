"""Stored checks of monitoring forms (``MonitoringCheck``): each form's lights and what it still misses, kept with
the basis they were made from, as ``checks`` does for declarations and selfeval for self-evaluations.

The basis is the form's last change (``updated_at``: every save, import, API write, submission and review moves it),
the stamp of its rule's thresholds and its period's share of the year (``monitoring_figures.rule_stamp``) and the
lights' and parser's versions. Writers store the check in their own transaction (``store_monitoring_check``);
the board and the API's list read ``current_monitoring_checks``, which makes again, in batches, only the missing or
stale ones, so that a list of forms never computes the lights of every form on every read.
"""

from decimal import Decimal

from django.db.models import Prefetch

from indicators.services.checking import ERROR, WARNING, Finding
from indicators.services.values import PARSER_VERSION

from ..models import MonitoringCheck, MonitoringForm, MonitoringPeriod, MonitoringRow
from ..queue import enqueue
from .checks import (
    READER_LIMIT,
    basis,
    checks_in_order,
    counted_findings,
    make_checks,
    refuse_over,
    stale_ids,
    upsert_checks,
)
from .monitoring_figures import form_lights, monitoring_problems, rule_stamp
from .monitoring_lights import LIGHTS_VERSION, RED, YELLOW, Light, pct

MONITORING_VERSION = f"l{LIGHTS_VERSION}.p{PARSER_VERSION}"


def period_stamps() -> dict[int, str]:
    """Each period's stamp with its rule's thresholds, as they are now (one query)."""
    return {period.pk: rule_stamp(period.rule, period) for period in MonitoringPeriod.objects.select_related("rule")}


def _loaded(ids):
    """Forms with what their lights and problems read, and what the board shows of them (fixed queries a batch)."""
    return (
        MonitoringForm.objects.filter(pk__in=ids)
        .select_related("period__rule", "declaration__project__department")
        .prefetch_related("budget_lines", Prefetch("rows", queryset=MonitoringRow.objects.order_by("seq")))
    )


def light_data(light: Light) -> dict:
    return {"colour": light.colour, "formula": light.formula, "rate": None if light.rate is None else str(light.rate)}


def _field(place, rows: dict) -> str:
    row = rows.get(place)
    return "预算执行" if row is None else f"第 {row.seq} 行“{row.name}”"


def monitoring_check_of(form: MonitoringForm) -> MonitoringCheck:
    """The check of one form loaded by ``_loaded`` or ``selectors.monitoring_page`` (not saved): its lights, the
    problems that keep it from being submitted (错误) and each red or yellow light (提示)."""
    lights = form_lights(form)
    rows = list(form.rows.all())
    by_pk = {row.pk: row for row in rows}
    findings = [
        Finding("monitoring_incomplete", ERROR, _field(p.place, by_pk), None, None, p.message)
        for p in monitoring_problems(form)
    ]
    flagged = [
        ("预算执行", lights.budget),
        *((f"第 {r.seq} 行“{r.name}”", li) for r, li in zip(rows, lights.indicators, strict=True)),
    ]
    findings += [
        Finding("monitoring_light", WARNING, field, pct(light.rate) if light.rate is not None else None, None,
                f"{light.label}：{light.formula}")
        for field, light in flagged
        if light.colour in (RED, YELLOW)
    ]  # fmt: skip
    return MonitoringCheck(
        form_id=form.pk,
        basis=basis(form.updated_at, rule_stamp(form.period.rule, form.period), MONITORING_VERSION),
        project_light=lights.worst.colour,
        lights={
            "project": light_data(lights.worst),
            "budget": light_data(lights.budget),
            "indicators": [
                {"row": row.pk, "name": row.name} | light_data(light)
                for row, light in zip(rows, lights.indicators, strict=True)
            ],
        },
        **counted_findings(findings),
    )


def store_monitoring_check(form_id: int) -> MonitoringCheck:
    """Make and store the check of a form a writer has just changed, in the writer's transaction."""
    check = monitoring_check_of(_loaded([form_id]).get())
    upsert_checks([check], "form")
    return check


def refresh_stale_monitoring(forms, *, limit: int | None = None, keep: bool = True):
    """Make again the checks of the forms of ``forms`` that are missing or stale: their ids in order, and the checks
    made. More than ``limit`` stale ones raise ``ChecksPending`` (and queue the work)."""
    stamps = period_stamps()
    state = list(forms.values_list("pk", "updated_at", "check_result__basis", "period_id"))
    stale = stale_ids(state, lambda row: basis(row[1], stamps[row[3]], MONITORING_VERSION))
    refuse_over(limit, stale, lambda: enqueue("projects.tasks.refresh_monitoring_checks"))
    return [row[0] for row in state], make_checks(stale, _loaded, monitoring_check_of, "form", keep)


def current_monitoring_checks(forms, *, wait: bool = False) -> list[MonitoringCheck]:
    """The checks of the monitoring forms of the queryset ``forms``, in its order, each one current, each with its
    form, project, department and period loaded (a fixed number of queries when none is stale)."""
    refreshed = refresh_stale_monitoring(forms, limit=None if wait else READER_LIMIT)
    related = ["form__declaration__project__department", "form__period"]
    return checks_in_order(MonitoringCheck, "form", forms, refreshed, related)


def stored_light(data: dict) -> Light:
    """A light as a check keeps it."""
    rate = data.get("rate")
    return Light(data["colour"], data["formula"], None if rate is None else Decimal(rate))
