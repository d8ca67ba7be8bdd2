"""Self-evaluations loaded in batches as plain data (issue 17): what the engine and the checker read, nothing else.

A rescore or a refresh of the province reads 10 000 forms with 300 000 rows. Loading them as model instances with
their prefetched parts was a third of the time (40 000 instances per 400 forms, each with its state and
descriptors). Here each table is read once per batch with ``values_list`` into light tuples that carry the models'
attribute names (``pk``, ``seq``, ``section_id``…), which ``adapters.snapshot_of`` and the checker read as they
read the models; each scheme's rules and stamp are made once per batch, and the declarations' 运行监控 records
once per batch (``projects.selectors.monitoring_records``) instead of one query per form.

The data are the same as ``selectors.evaluation_with_rows`` loads for one form: a row's default 指标性质 reads its matched
一级/二级 categories' codes as well as the printed names (``IndicatorRowBase.default_nature`` with both loaded).
"""

from typing import NamedTuple

from indicators.models import cost_nature
from projects.models import ScoringScheme
from projects.selectors import monitoring_records

from ..choices import EvaluationStatus
from ..models import EvaluationFunding, EvaluationGoal, EvaluationRow, EvaluationSection, SelfEvaluation
from .adapters import HEADER_FIELDS, EvaluationSnapshot, rules_for
from .stamps import monitoring_changed, scheme_stamp


class Head(NamedTuple):
    pk: int
    status: str
    updated_at: object
    monitoring_changed: object
    scheme_id: int
    layout: str
    year: int
    declaration_id: int | None
    source: str
    printed_total: object
    printed_grade: str
    printed_budget_rate: str
    printed_budget_score: object
    incomplete: bool


class Section(NamedTuple):
    pk: int
    seq: int
    code: str
    name: str
    points: object
    printed_score: object
    score_final: object


class Funding(NamedTuple):
    pk: int
    seq: int
    name: str
    is_total: bool
    budget: object
    executed: object
    rate_printed: str
    score_printed: object
    part_of_id: int | None


class Goal(NamedTuple):
    pk: int
    seq: int


class Row(NamedTuple):
    pk: int
    seq: int
    section_id: int | None
    goal_id: int | None
    name: str
    target: str
    actual: str
    reason: str
    weight: object
    score_printed: object
    score_proposed: object
    score_final: object
    score_reason: str
    band: str
    unit: str
    comparator: str
    nature: str
    source_indicator_id: int | None
    default_nature: str


HEAD_FIELDS = (
    "pk", "status", "updated_at", "monitoring_changed", "scheme_id", "layout", "year", "declaration_id", "source",
    *HEADER_FIELDS,
)  # fmt: skip
SECTION_FIELDS = ("evaluation_id", *Section._fields)
FUNDING_FIELDS = ("evaluation_id", *Funding._fields)
GOAL_FIELDS = ("evaluation_id", *Goal._fields)
ROW_FIELDS = (
    "evaluation_id", *Row._fields[:-1], "level1_printed", "level2_printed", "level1__code", "level2__code"
)  # fmt: skip


class SchemeData(NamedTuple):
    """What a scheme gives every form scored under it, made once: the engine's rules, its sections' kinds and
    points, and its stamp (part of each check's basis)."""

    rules: object
    kinds: dict
    points: dict
    rate_in_percent: bool
    stamp: str


def scheme_data() -> dict[int, SchemeData]:
    """Every scheme's data as it is now (two queries)."""
    data = {}
    for scheme in ScoringScheme.objects.prefetch_related("sections"):
        sections = list(scheme.sections.all())
        data[scheme.pk] = SchemeData(
            rules=rules_for(scheme),
            kinds={s.code: s.kind for s in sections},
            points={s.code: s.points for s in sections},
            rate_in_percent=scheme.rate_in_percent,
            stamp=scheme_stamp(scheme),
        )
    return data


class Loaded(NamedTuple):
    """One form of a batch: its head (what its check's basis and state read), its snapshot, its scheme's stamp and
    its declaration's 运行监控 record (None without one)."""

    head: Head
    snapshot: EvaluationSnapshot
    stamp: str
    record: object


def _grouped(queryset, fields, make, ids) -> dict[int, list]:
    groups = {pk: [] for pk in ids}
    for values in queryset.values_list(*fields):
        groups[values[0]].append(make(values[1:]))
    return groups


def _row(values) -> Row:
    *own, level1_printed, level2_printed, level1_code, level2_code = values
    return Row(*own, cost_nature((level1_code, level2_code), (level1_printed, level2_printed)))


def load_batch(ids, *, schemes: dict[int, SchemeData] | None = None, for_update: bool = False, fresh: bool = False):
    """The forms ``ids`` (those that exist), in id order, as ``Loaded``: one query per table (and one for their
    monitoring records). ``for_update``: the forms are locked first (``select_for_update`` of the forms only, as
    ``selectors.evaluation_with_rows`` locks one). ``fresh``: without the signed forms whose check holds what was
    signed (as the stored checks are made again: ``checks.refresh_checks``)."""

    schemes = schemes if schemes is not None else scheme_data()
    forms = SelfEvaluation.objects.filter(pk__in=list(ids))
    if fresh:
        forms = forms.exclude(status=EvaluationStatus.SIGNED, check_result__signed=True)
    if for_update:
        forms = forms.select_for_update(of=("self",))
    heads = [
        Head(*values)
        for values in forms.annotate(monitoring_changed=monitoring_changed()).order_by("pk").values_list(*HEAD_FIELDS)
    ]
    if not heads:
        return []
    pks = [head.pk for head in heads]
    missing = {head.scheme_id for head in heads} - set(schemes)
    if missing:  # a scheme made since ``schemes`` was read
        schemes = {**schemes, **scheme_data()}

    def parts(model, fields, make, order=("seq", "pk")):
        queryset = model.objects.filter(evaluation_id__in=pks).order_by("evaluation_id", *order)
        return _grouped(queryset, fields, make, pks)

    sections = parts(EvaluationSection, SECTION_FIELDS, Section._make)
    funding = parts(EvaluationFunding, FUNDING_FIELDS, Funding._make)
    goals = parts(EvaluationGoal, GOAL_FIELDS, Goal._make)
    rows = parts(EvaluationRow, ROW_FIELDS, _row)
    records = monitoring_records({head.declaration_id for head in heads if head.declaration_id})
    loaded = []
    for head in heads:
        scheme = schemes[head.scheme_id]
        snapshot = EvaluationSnapshot(
            rules=scheme.rules,
            scheme_kinds=scheme.kinds,
            scheme_points=scheme.points,
            layout=head.layout,
            year=head.year,
            declaration_id=head.declaration_id,
            rate_in_percent=scheme.rate_in_percent,
            filed=bool(head.source),
            header={name: getattr(head, name) for name in HEADER_FIELDS},
            funding=tuple(funding[head.pk]),
            sections=tuple(sections[head.pk]),
            goals=tuple(goals[head.pk]),
            rows=tuple(rows[head.pk]),
        )
        loaded.append(Loaded(head, snapshot, scheme.stamp, records.get(head.declaration_id)))
    return loaded
