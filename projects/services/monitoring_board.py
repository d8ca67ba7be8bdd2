"""The board of monitoring lights (绩效运行监控 dashboard): each form of a year and period with its project light,
budget light and worst indicator, filtered by department and colour, and the count of each colour per department.

The lights are read from each form's stored check (``monitoring_checks.current_monitoring_checks``, a fixed number
of queries, made again only for the forms changed since), not computed for every form on every read.
"""

from dataclasses import dataclass, field

from .monitoring_checks import stored_light
from .monitoring_lights import LIGHT_LABELS, SEVERITY, Light

COLOURS = ("red", "yellow", "blue", "green", "none")  # the order a reader looks at them: worst first


@dataclass(frozen=True)
class BoardLine:
    form: object
    project: Light
    budget: Light
    worst_indicator: tuple[str, Light] | None  # (三级指标, its light); None without indicator rows


@dataclass
class DepartmentCount:
    department: object
    counts: dict = field(default_factory=lambda: dict.fromkeys(COLOURS, 0))

    @property
    def cells(self) -> list[tuple[str, int]]:
        return [(colour, self.counts[colour]) for colour in COLOURS]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _line(check) -> BoardLine:
    lights = check.lights
    rows = [(row["name"], stored_light(row)) for row in lights["indicators"]]
    worst = max(rows, key=lambda pair: SEVERITY[pair[1].colour], default=None)
    return BoardLine(check.form, stored_light(lights["project"]), stored_light(lights["budget"]), worst)


def light_board(checks, *, colour: str = "") -> tuple[list[BoardLine], list[DepartmentCount]]:
    """The lines of the forms of ``checks`` (their current stored checks, with their forms, projects and departments)
    whose project light is ``colour`` (all when empty), and every department's count of each project colour over all
    of them (the counts do not follow the colour filter: they show the whole)."""
    lines = [_line(check) for check in checks]
    counts: dict[int, DepartmentCount] = {}
    for line in lines:
        department = line.form.declaration.project.department
        counts.setdefault(department.pk, DepartmentCount(department)).counts[line.project.colour] += 1
    shown = [line for line in lines if not colour or line.project.colour == colour]
    return shown, sorted(counts.values(), key=lambda c: c.department.code)


COLOUR_CHOICES = [(colour, LIGHT_LABELS[colour]) for colour in COLOURS]
