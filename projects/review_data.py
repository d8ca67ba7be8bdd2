"""The target-quality review's rule kinds and the national defaults (docs/review.md), loaded by a data migration.

Each rule kind is implemented in code (``projects.services.review.rules``); what varies between provinces and
years — whether a rule runs, its severity, its parameters, its message and advice — is a row of the rule set
(``ReviewRule``) that administrators edit in the admin. A province's variant is a row with its 行政区划 prefix.
"""

ERROR, WARNING, HINT = "error", "warning", "hint"
SEVERITIES = [(ERROR, "错误"), (WARNING, "警告"), (HINT, "提示")]

# The words a quantitative value should not lean on (财预〔2021〕101号: 指标值宜量化、可衡量).
VAGUE_WORDS = ["较好", "有所提高", "明显", "显著", "进一步", "提升", "完善", "加强", "逐步"]

# code → (label, severity, parameters, message, advice). The message is a template: {name}, {seq} and the keys each
# rule documents are filled in; a key the rule does not give stays as written.
RULES = {
    "required_level2": (
        "结构：必备二级指标", WARNING,
        {"required": ["数量", "质量", "时效", "成本", "效益"], "not_applicable": ["不适用"]},
        "缺少“{level2}”类指标（若不适用，请设一行并在指标值中写明“不适用”）。",
        "按产出（数量、质量、时效）、成本、效益逐类设置指标，确不适用的写明“不适用”。",
    ),
    "min_rows": (
        "结构：三级指标行数", ERROR, {"min": 3},
        "只有 {count} 行三级指标，至少应有 {min} 行。",
        "补充能反映项目产出和效益的三级指标。",
    ),
    "satisfaction_public": (
        "结构：面向公众的项目设满意度", WARNING,
        {"keywords": ["群众", "公众", "居民", "市民", "村民", "服务对象", "学员", "学生", "患者", "老人", "儿童",
                      "企业", "培训", "党员", "社区"]},
        "项目面向“{keyword}”，但没有满意度指标。",
        "增设服务对象满意度指标（如 服务对象满意度≥90%）。",
    ),
    "name_length": (
        "表述：三级指标名称长度", WARNING, {"max": 15},
        "“{name}”有 {length} 个字，三级指标名称应不超过 {max} 个字。",
        "名称只写衡量什么（如 培训人次），把目标值和说明放到指标值中。",
    ),
    "name_matches_level2": (
        "表述：名称与二级指标相符", HINT,
        {"keywords": {
            "数量": ["数", "量", "次", "场", "人", "个", "项", "件", "期", "批", "户", "册", "套", "台", "所", "篇",
                     "规模", "覆盖", "面积"],
            "质量": ["率", "质量", "合格", "达标", "标准", "规范", "准确", "优良", "验收", "完好", "覆盖", "完成"],
            "时效": ["时", "期", "进度", "及时", "日", "月", "年", "周期", "按期"],
            "成本": ["成本", "费", "经费", "资金", "价", "支出", "金额", "预算", "投入"],
            "满意": ["满意"],
        }},
        "“{name}”看不出是“{level2}”类指标（名称中没有 {keywords} 等字样）。",
        "核对二级指标的归类，或把名称改为能体现该类别的说法。",
    ),
    "duplicate_name": (
        "表述：三级指标不重复", WARNING, {},
        "“{name}”与第 {first} 行重名。",
        "合并重复的指标，或写明各自衡量的内容。",
    ),
    "copied_last_year": (
        "表述：照抄上年指标", HINT, {},
        "“{name}”与 {year} 年申报表的指标和指标值完全相同，请确认本年目标是否需要调整。",
        "结合上年完成情况和本年任务重新测定指标值。",
    ),
    "value_unit": (
        "指标值：数值带单位", WARNING, {},
        "指标值“{target}”只有数字，没有计量单位。",
        "写明计量单位（如 ≥500人次、≥95%），或填写“计量单位”栏。",
    ),
    "value_form": (
        "指标值：定量指标可衡量", WARNING, {"quantitative_level2": ["数量", "成本"]},
        "{kind}应可衡量，指标值“{target}”不是“比较符＋数值＋单位”或日期。",
        "改写为可衡量的值，如 ≥20场、≤50万元、12月底前。",
    ),
    "value_comparator": (
        "指标值：写明比较符", HINT, {},
        "指标值“{target}”没有比较符（≥、≤、=），看不出是下限还是上限。",
        "在数值前加比较符，或填写“比较符”“指标性质”栏。",
    ),
    "timeliness_value": (
        "指标值：时效指标为日期、时长或频次", WARNING,
        {"duration_units": ["天", "日", "个工作日", "工作日", "个月", "月", "周", "年", "小时", "分钟"],
         "frequency_words": ["每", "/年", "/月", "/季", "/周", "按月", "按季", "按年", "季度", "月度", "年度内"]},
        "时效指标的指标值“{target}”不是日期、时长或频次（不能只写“及时”）。",
        "写明完成时限（如 12月底前）、时长（如 ≤5个工作日）或频次（如 每季度1次）。",
    ),
    "vague_words": (
        "指标值：定量指标不用模糊词", WARNING,
        {"words": VAGUE_WORDS, "quantitative_level2": ["数量", "质量", "时效", "成本"]},
        "指标值“{target}”用了“{word}”这类模糊的说法。",
        "用具体的数值或比例代替（如 较上年提高5个百分点）。",
    ),
    "basis_document": (
        "资金：立项依据引用文件", WARNING, {},
        "立项依据没有引用《》标注的文件。",
        "列出立项所依据的政策文件全称，如《中国共产党组织工作条例》。",
    ),
    "estimation_items": (
        "资金：测算依据为单价×数量", WARNING, {"tolerance": "0.01"},
        "{detail}",
        "按“单价×数量”逐项列明测算过程，合计与申请金额一致。",
    ),
    "cost_within_budget": (
        "资金：成本指标不超过申请金额", ERROR, {},
        "成本指标“{target}”（{amount} 元）超过项目当年预算 {budget} 元。",
        "成本指标值不应高于申请的预算金额，请核对单位和数值。",
    ),
    "goal_quantity": (
        "目标：年度目标量化", WARNING,
        {"classifiers": "个项次场人名期家所批套台件篇户册",
         "date_words": ["年底", "年末", "月底", "季度", "上半年", "下半年", "年内"]},
        "绩效总目标没有写明数量或时间。",
        "在总目标中写明要完成的数量、质量和时限（如 年内开展培训20期、培训1000人次）。",
    ),
    "row_relates_goal": (
        "目标：指标与目标对应", HINT,
        {"stop_words": ["指标", "完成", "情况", "工作", "项目", "开展", "年度", "进行", "提高", "实现"],
         "exempt_level2": ["满意", "成本"]},
        "“{name}”与{goal}看不出联系（没有共同的关键词）。",
        "指标应细化总目标：在总目标中写明该项任务，或删去与目标无关的指标。",
    ),
    "continuing_prior": (
        "延续项目：上年自评结果", HINT, {"project_types": ["continuing", "recurring"]},
        "{detail}",
        "针对上年未达标的指标说明原因和改进措施，据实调整本年指标值。",
    ),
}  # fmt: skip

# The grade of the targets' quality: each finding costs its severity's points from 100, bands as the schemes'.
GRADE = "grade"
GRADE_PARAMS = {"points": {ERROR: 20, WARNING: 5, HINT: 1}, "bands": [["优", 90], ["良", 75], ["中", 60], ["差", 0]]}
GRADE_LABEL = "评级：目标质量等次"

KIND_CHOICES = [(code, row[0]) for code, row in RULES.items()] + [(GRADE, GRADE_LABEL)]

# The rule kinds that read a field only the 项目 form has (立项依据, 测算依据, the project type and last year's
# self-evaluation of the project): shipped off for the 部门整体 form (migration 0022), which an administrator may
# change per row (ReviewRule.for_department).
PROJECT_ONLY = ("basis_document", "estimation_items", "continuing_prior")


# row_relates_goal's message before it named the goal a row is read against ({goal}: 绩效总目标 on a 项目 form, the
# row's own 长期目标1 / 年度目标2 on a 部门整体 form).
OLD_RELATES_MESSAGE = "“{name}”与绩效总目标看不出联系（没有共同的关键词）。"
# Said 定量 of a row whose value the page then shows as 定性 (judged from the value): it now says why it is measured.
OLD_VALUE_FORM_MESSAGE = "定量指标的指标值“{target}”不是“比较符＋数值＋单位”或日期。"


def ship_form_kinds(Rule) -> None:
    """Switch the rule kinds of ``PROJECT_ONLY`` off for the 部门整体 form, in every region's rows; the rows of
    ``row_relates_goal`` still carrying the shipped message name the goal (a 项目 form reads as before)."""
    Rule.objects.filter(code__in=PROJECT_ONLY).update(for_department=False)
    Rule.objects.filter(code="row_relates_goal", message=OLD_RELATES_MESSAGE).update(
        message=RULES["row_relates_goal"][3]
    )


def ship_value_form_message(Rule) -> None:
    """The rows of ``value_form`` still carrying the shipped message say why the row is measured (its 二级 or its
    正向/反向 mark) instead of calling it 定量; an administrator's own wording is kept."""
    Rule.objects.filter(code="value_form", message=OLD_VALUE_FORM_MESSAGE).update(message=RULES["value_form"][3])


def load_review_rules(Rule) -> None:
    """Create the national rows that do not exist yet (an administrator's changes are kept)."""
    for seq, (code, (_label, severity, params, message, advice)) in enumerate(RULES.items(), start=1):
        Rule.objects.get_or_create(
            division_prefix="", code=code, year_from=None,
            defaults={"seq": seq, "severity": severity, "params": params, "message": message, "advice": advice,
                      "basis": "财预〔2021〕101号《中央部门项目支出核心绩效目标和指标设置及取值指引（试行）》"},
        )  # fmt: skip
    Rule.objects.get_or_create(
        division_prefix="", code=GRADE, year_from=None,
        defaults={"seq": 100, "severity": HINT, "params": GRADE_PARAMS, "message": "", "advice": "",
                  "basis": "每条问题按严重程度扣分（错误 20、警告 5、提示 1），按等次划分定等。"},
    )  # fmt: skip
