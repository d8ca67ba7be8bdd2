"""The engine's and the checker's plain inputs.

Both are built from an ``EvaluationSnapshot``: the header figures, the scheme's rules and section kinds, and
lists of funding lines, sections, goals and rows (any objects with the models' attributes). A snapshot is made
from a form loaded with its parts (``snapshot_of``), or from the page's validated forms and the API's changes
before anything is saved (``snapshot_of`` with the parts the forms filled), so that the live preview and the
checks scores what was typed without writing it.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from projects.choices import Layout
from projects.models import ScoringScheme

from ..models import SelfEvaluation
from . import consistency, engine

HEADER_FIELDS = ("printed_total", "printed_grade", "printed_budget_rate", "printed_budget_score", "incomplete")


def rules_for(scheme: ScoringScheme) -> engine.Rules:
    """The engine's rules from a scheme's data."""
    bands = tuple((str(name), Decimal(str(minimum))) for name, minimum in scheme.grade_bands)
    return engine.Rules(
        budget_rate_places=scheme.budget_rate_places,
        cap_budget_score=scheme.cap_budget_score,
        reverse_rule=scheme.reverse_rule,
        score_places=scheme.score_places,
        grade_bands=bands or engine.Rules().grade_bands,
        deviation_above=scheme.deviation_above,
        maximum=scheme.maximum(),
    )


def kind_of(code: str, scheme_kinds: dict[str, str]) -> str:
    """A form's section takes its kind from the scheme section of the same code (goal1…5 are annual goals)."""
    if code in scheme_kinds:
        return scheme_kinds[code]
    if code.startswith("goal") and code[4:].isdigit():
        return "annual_goal"
    return "level1"


def section_kind(evaluation: SelfEvaluation, section) -> str:
    """The kind of ``section`` of a form loaded with its scheme's sections."""
    return kind_of(section.code, {s.code: s.kind for s in evaluation.scheme.sections.all()})


@dataclass(frozen=True)
class EvaluationSnapshot:
    """A self-evaluation as plain data: what the engine and the checker read, nothing they would load."""

    rules: engine.Rules
    scheme_kinds: dict
    layout: str
    filed: bool
    header: dict  # HEADER_FIELDS
    funding: tuple
    sections: tuple
    goals: tuple
    rows: tuple
    scheme_points: dict = field(default_factory=dict)  # section code → the scheme's points (None: printed per form)
    year: int | None = None
    rate_in_percent: bool = False
    declaration_id: int | None = None  # the declaration's 运行监控 record is read against the form


def snapshot_of(evaluation: SelfEvaluation, *, funding=None, sections=None, goals=None, rows=None):
    """A snapshot of a form loaded by ``selectors.evaluation_with_rows``; parts given replace the loaded ones
    (the instances the page's forms or the API's changes filled, unsaved)."""

    def parts(given, relation):
        return tuple(sorted(given if given is not None else getattr(evaluation, relation).all(), key=_seq))

    return EvaluationSnapshot(
        rules=rules_for(evaluation.scheme),
        scheme_kinds={s.code: s.kind for s in evaluation.scheme.sections.all()},
        scheme_points={s.code: s.points for s in evaluation.scheme.sections.all()},
        layout=evaluation.layout,
        year=evaluation.year,
        declaration_id=evaluation.declaration_id,
        rate_in_percent=evaluation.scheme.rate_in_percent,
        filed=bool(evaluation.source),
        header={name: getattr(evaluation, name) for name in HEADER_FIELDS},
        funding=parts(funding, "funding_rows"),
        sections=parts(sections, "sections"),
        goals=parts(goals, "goals"),
        rows=parts(rows, "rows"),
    )


def _seq(part):
    return part.seq


def funding_data(source) -> tuple[consistency.FundingData, ...]:
    """The funding lines as the checker's plain data, each 其中 row naming its total by 序号."""
    snap = _snapshot(source)
    seqs = {f.pk: f.seq for f in snap.funding if f.pk is not None}
    return tuple(
        consistency.FundingData(
            f.name, f.is_total, f.budget, f.executed, f.rate_printed, f.score_printed, f.seq, seqs.get(f.part_of_id)
        )
        for f in snap.funding
    )


def funding_figures(source) -> dict[int, tuple]:
    """Each funding line's budget and executed amounts as its figures agree (a total of zeros beside its 其中 rows
    stands for their sum), by 序号."""
    lines = funding_data(source)
    parts = consistency.parts_of(lines)
    return {line.key: consistency.consistent_figures(line, parts.get(line.key, [])) for line in lines}


def columns_of(row, year: int | None = None) -> engine.RowColumns:
    """The columns a form prints beside a row's values (指标性质, comparator, unit), with its category's default
    and the form's year (for deadlines printed without one). One frozen value per distinct set of columns (a
    province's rows share a few: made once, not twice a row)."""
    key = (row.unit, row.comparator, row.nature, row.default_nature, year)
    columns = _COLUMNS.get(key)
    if columns is None:
        if len(_COLUMNS) >= 4096:
            _COLUMNS.clear()
        columns = _COLUMNS[key] = engine.RowColumns(
            unit=key[0], comparator=key[1], nature=key[2], default_nature=key[3], year=year
        )
    return columns


_COLUMNS: dict[tuple, engine.RowColumns] = {}


def _snapshot(source) -> EvaluationSnapshot:
    return source if isinstance(source, EvaluationSnapshot) else snapshot_of(source)


def form_input(source: SelfEvaluation | EvaluationSnapshot) -> engine.FormInput:
    """The plain data the engine needs, from a snapshot or a form loaded by ``evaluation_with_rows``."""
    snap = _snapshot(source)
    budget, executed = consistency.budget_figures(funding_data(snap))
    sections = []
    for section in snap.sections:
        kind = kind_of(section.code, snap.scheme_kinds)
        # 总目标 is scored as a whole by the evaluator.
        given = (
            (section.score_final if section.score_final is not None else section.printed_score)
            if kind == "goal"
            else None
        )
        sections.append(engine.SectionInput(section.code, kind, section.points, given))
    section_codes = {s.pk: s.code for s in snap.sections}
    rows = tuple(
        engine.RowInput(
            key=row.pk,
            section=section_codes.get(row.section_id),
            target=row.target,
            actual=row.actual,
            weight=row.weight,
            final_score=row.score_final,
            columns=columns_of(row, snap.year),
        )
        for row in snap.rows
    )
    return engine.FormInput(
        rules=snap.rules,
        budget=budget,
        executed=executed,
        sections=tuple(sections),
        rows=rows,
    )


def row_label(row, goals) -> str:
    """How the checker names a row: 第 N 行“name”, under its 年度目标 on a department form."""
    return _label(row, {g.pk: g.seq for g in goals} if row.goal_id else None)


def _label(row, goal_seqs: dict | None) -> str:
    """``row_label`` with the form's goals' 序号 by id (needed only for a row under a goal)."""
    where = f"年度目标{goal_seqs[row.goal_id]} / " if row.goal_id else ""
    return f"{where}第 {row.seq} 行“{row.name}”"


def evaluation_data(
    source: SelfEvaluation | EvaluationSnapshot, *, proposals: dict | None = None
) -> consistency.EvaluationData:
    """The checker's plain data, from a snapshot or a form loaded by ``evaluation_with_rows``. ``proposals``
    (row key → score) stand for the stored proposals where the rows have not been scored since they changed."""
    snap = _snapshot(source)
    codes = {s.pk: s.code for s in snap.sections}
    goal_seqs = {g.pk: g.seq for g in snap.goals}
    rows = []
    for row in snap.rows:
        rows.append(
            consistency.RowData(
                label=_label(row, goal_seqs),
                section=codes.get(row.section_id),
                target=row.target,
                actual=row.actual,
                reason=row.reason,
                weight=row.weight,
                score_printed=row.score_printed,
                score_final=row.score_final,
                score_proposed=proposals[row.pk] if proposals is not None else row.score_proposed,
                score_reason=row.score_reason,
                qualitative_band=row.band,
                columns=columns_of(row, snap.year),
            )
        )
    header = snap.header
    return consistency.EvaluationData(
        rules=snap.rules,
        printed_total=header["printed_total"],
        printed_grade=header["printed_grade"],
        printed_budget_rate=header["printed_budget_rate"],
        printed_budget_score=header["printed_budget_score"],
        funding=funding_data(snap),
        sections=tuple(
            consistency.SectionData(
                s.code,
                s.name,
                kind_of(s.code, snap.scheme_kinds),
                s.points,
                s.printed_score,
                snap.scheme_points.get(s.code),
            )
            for s in snap.sections
        ),
        full_points=snap.rules.maximum,
        rows=tuple(rows),
        scored_rows=snap.layout != Layout.SUMMARY,
        incomplete=header["incomplete"],
        filed=snap.filed,
        rate_in_percent=snap.rate_in_percent,
    )
