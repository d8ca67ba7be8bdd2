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


def load_schemes(Scheme, Section) -> None:
    """Create or update the starting schemes with the given models (historical ones in a migration)."""
    for data in SCHEMES:
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
