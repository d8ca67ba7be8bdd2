"""The scoring schemes found in the seeds and in the national rules (docs/domain.md §5), loaded by a data migration.

Administrators add and change schemes in the admin; this is only the starting set.
"""

from decimal import Decimal

SCHEMES = [
    {
        "code": "national_project",
        "name": "财政部项目支出绩效自评（2020）",
        "layout": "national",
        "description": "财预〔2020〕10号附件：预算执行率 10 分，产出 50 分，效益 30 分，满意度 10 分；三级指标分值由各表设定。",
        "sections": [
            ("budget", "预算执行率", "budget", "10"),
            ("output", "产出指标", "level1", "50"),
            ("benefit", "效益指标", "level1", "30"),
            ("satisfaction", "满意度指标", "level1", "10"),
        ],
    },
    {
        "code": "hubei_project",
        "name": "湖北省项目支出绩效自评",
        "layout": "hubei",
        "description": "项目资金 20 分（全年执行数 ÷ 全年预算数 × 20），项目绩效总目标 20 分，绩效指标 60 分。",
        "sections": [
            ("funds", "项目资金", "budget", "20"),
            ("goal", "项目绩效总目标", "goal", "20"),
            ("indicators", "绩效指标", "indicators", "60"),
        ],
    },
    {
        "code": "hubei_department",
        "name": "湖北省部门整体绩效自评",
        "layout": "department",
        "description": "预算执行 20 分（执行数 ÷ 预算数 × 20），各年度目标分享 80 分（如 5 × 16 分）。",
        "sections": [
            ("budget", "预算执行情况", "budget", "20"),
            ("goals", "年度目标", "annual_goal", "80"),
        ],
    },
    {
        "code": "sichuan_project",
        "name": "四川省项目支出绩效自评（预算执行 10 分 + 绩效指标 90 分）",
        "layout": "national",
        "description": "预算执行率 10 分（执行数 ÷ 预算数 × 10），各三级指标共享绩效指标 90 分。",
        "sections": [
            ("budget", "预算执行率", "budget", "10"),
            ("indicators", "绩效指标", "indicators", "90"),
        ],
    },
    {
        "code": "hebei_project",
        "name": "河北省市级部门预算项目绩效自评",
        "layout": "hebei",
        "description": "各一级指标的分值印在各表上（如 产出 40 / 预算执行率 10 / 效益 40 / 满意度 10），总分 100。",
        "weights_per_form": True,
        "sections": [
            ("output", "产出指标", "level1", None),
            ("budget", "预算执行率指标", "level1", None),
            ("benefit", "效益指标", "level1", None),
            ("effect", "效果指标", "level1", None),
            ("satisfaction", "满意度指标", "level1", None),
            ("cost", "成本指标", "level1", None),
        ],
    },
]


# The funding block each layout prints (资金 rows in order; a row with a parent is a 其中 sub-row of that total).
# Only the starting set: administrators edit each scheme's rows in the admin.
FUNDING_LINES = {
    "hubei": [("年度资金总额", None), ("中央补助", "年度资金总额"), ("省补助", "年度资金总额"), ("市补助", "年度资金总额"),
              ("国债资金", "年度资金总额"), ("区级预算资金", "年度资金总额"), ("其他资金", "年度资金总额")],
    "national": [("年度资金总额", None), ("其中：当年财政拨款", "年度资金总额"), ("上年结转资金", "年度资金总额"),
                 ("其他资金", "年度资金总额")],
    "hebei": [("合计", None), ("财政资金", "合计"), ("其他", "合计")],
    "department": [("部门整体支出总额", None)],
}  # fmt: skip


# What declarations call the money each starting row holds (申报表“资金来源”的写法), by layout and row: a
# self-evaluation started from a declaration carries those sources' amounts in that row. Only the starting set:
# the 湖北 form is a county-level form, so a district department's 财政拨款 is its 区级预算资金.
FISCAL = "当年财政拨款、财政拨款、公共预算财政拨款、一般公共预算财政拨款、政府性基金预算财政拨款、财政拨款收入"
NON_FISCAL = "其他收入、事业收入、事业单位经营收入、上级补助收入、附属单位上缴收入、用事业基金弥补收支差额"
FUNDING_ALIASES = {
    "national": {"其中：当年财政拨款": FISCAL, "上年结转资金": "上年结转、上年结转资金、上年财政拨款结转",
                 "其他资金": NON_FISCAL},
    "hebei": {"财政资金": FISCAL, "其他": "其他资金、" + NON_FISCAL},
    "hubei": {"区级预算资金": "公共预算财政拨款、一般公共预算财政拨款、政府性基金预算财政拨款", "其他资金": NON_FISCAL},
}  # fmt: skip


def load_funding_lines(Scheme, Line) -> None:
    """Give each scheme without funding rows its layout's starting rows (an administrator's rows are kept)."""
    for scheme in Scheme.objects.all():
        if Line.objects.filter(scheme=scheme).exists():
            continue
        made = {}
        aliases = FUNDING_ALIASES.get(scheme.layout, {})
        with_aliases = any(f.name == "aliases" for f in Line._meta.get_fields())  # not in migration 0016's model
        for seq, (name, parent) in enumerate(FUNDING_LINES.get(scheme.layout, [("年度资金总额", None)]), start=1):
            extra = {"aliases": aliases.get(name, "")} if with_aliases else {}
            made[name] = Line.objects.create(scheme=scheme, seq=seq, name=name, part_of=made.get(parent), **extra)


def load_funding_aliases(Scheme, Line) -> None:
    """Give the starting rows that have no 其他写法 yet their layout's (an administrator's are kept)."""
    for scheme in Scheme.objects.all():
        for name, aliases in FUNDING_ALIASES.get(scheme.layout, {}).items():
            Line.objects.filter(scheme=scheme, name=name, aliases="").update(aliases=aliases)


# Which scheme a region's forms use (行政区划 code prefix, form kind, from/to year → scheme code); "" is the
# national default. 部门整体 forms use the 20 + 80 scheme everywhere until a province's own is added.
ASSIGNMENTS = [
    ("", "project", None, None, "national_project", "财预〔2020〕10号"),
    ("42", "project", None, None, "hubei_project", "湖北省项目支出绩效自评表"),
    ("13", "project", None, None, "hebei_project", "河北省市级部门预算项目绩效自评表"),
    ("51", "project", None, None, "sichuan_project", "四川省项目支出绩效自评（10 + 90）"),
    ("", "department", None, None, "hubei_department", "部门整体支出绩效自评（预算执行 20 + 年度目标 80）"),
]

# The 行政区划 codes of the seeded departments (their codes begin with them: 420112-zzb).
SEED_DIVISIONS = {
    "420111-zzb": "420111",
    "420105-zzb": "420105",
    "420104-zzb": "420104",
    "420112-zzb": "420112",
    "130100-zzb": "130100",
}


def pick_assignment(assignments, division_code: str, year: int | None):
    """The assignment with the longest 行政区划 prefix of ``division_code`` whose years include ``year`` (ties: the
    latest ``year_from``); None when none fits. Works on any objects with the model's fields."""
    fitting = [
        a
        for a in assignments
        if division_code.startswith(a.division_prefix)
        and (year is None or ((a.year_from or 0) <= year <= (a.year_to or 9999)))
    ]
    if not fitting:
        return None
    return max(fitting, key=lambda a: (len(a.division_prefix), a.year_from or 0))


def load_assignments(Scheme, Assignment) -> None:
    """Create the starting assignments that do not exist yet (an administrator's changes are kept)."""
    for prefix, kind, year_from, year_to, code, basis in ASSIGNMENTS:
        if not Assignment.objects.filter(division_prefix=prefix, form_kind=kind, year_from=year_from).exists():
            Assignment.objects.create(
                division_prefix=prefix, form_kind=kind, year_from=year_from, year_to=year_to,
                scheme=Scheme.objects.get(code=code), basis=basis,
            )  # fmt: skip


def load_schemes(Scheme, Section, *, only_missing: bool = False) -> None:
    """Create or update the starting schemes with the given models (historical ones in a migration); with
    ``only_missing`` (the seed loader), create the missing ones and leave an administrator's changes alone."""
    for data in SCHEMES:
        if only_missing and Scheme.objects.filter(code=data["code"]).exists():
            continue
        scheme, _ = Scheme.objects.update_or_create(
            code=data["code"],
            defaults={
                "name": data["name"],
                "layout": data["layout"],
                "description": data["description"],
                "weights_per_form": data.get("weights_per_form", False),
            },
        )
        for seq, (code, name, kind, points) in enumerate(data["sections"], start=1):
            Section.objects.update_or_create(
                scheme=scheme,
                code=code,
                defaults={
                    "seq": seq,
                    "name": name,
                    "kind": kind,
                    "points": Decimal(points) if points is not None else None,
                },
            )
