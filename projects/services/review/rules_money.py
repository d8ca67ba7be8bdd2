"""Review rules on the money and its basis, the goal, and a continuing project's last year (docs/review.md).
Pure functions: a declaration's plain data and the rule's parameters in, hits out."""

import re
from decimal import Decimal, InvalidOperation

from indicators.services.values import format_number

from .inputs import BASIS, CONTINUING, ESTIMATION, GOALS, Hit, ReviewInput, RowInput
from .rules_rows import row_hit
from .rules_values import read_target

DOCUMENT = re.compile(r"《[^《》]+》")
_FACTOR = r"(\d+(?:\.\d+)?)\s*(万|亿)?(?:元|[\u4e00-\u9fff]{0,2})?(?:/[\u4e00-\u9fff]{1,3}){0,2}"
# 单价 × 数量 (× 次数 …): 300元/人×100人, 0.5万元×10台, 200 x 30
PRODUCT = re.compile(_FACTOR + r"(?:\s*[×xX*＊]\s*" + _FACTOR + r")+")
_NUMBER = re.compile(r"(\d+(?:\.\d+)?)\s*(万|亿)?")
MULTIPLIERS = {None: Decimal(1), "": Decimal(1), "万": Decimal(10000), "亿": Decimal(100000000)}
MONEY_UNITS = {"元": Decimal(1), "万元": Decimal(10000), "亿元": Decimal(100000000)}
CJK_PAIR = re.compile(r"(?=([\u4e00-\u9fff]{2}))")


def basis_document(data: ReviewInput, params: dict) -> list[Hit]:
    """At least one item of 立项依据 cites a document in 《》."""
    return [] if any(DOCUMENT.search(text) for text in data.basis_items) else [Hit(BASIS)]


def products(text: str) -> list[tuple[Decimal, bool]]:
    """Each 单价 × 数量 in ``text`` as (product, whether it printed 万/亿 — the product is then in 元)."""
    found = []
    for match in PRODUCT.finditer(text or ""):
        product, scaled = Decimal(1), False
        for number in _NUMBER.finditer(match.group(0)):
            try:
                product *= Decimal(number.group(1)) * MULTIPLIERS[number.group(2)]
            except InvalidOperation:  # pragma: no cover - the pattern only matches numbers
                continue
            scaled = scaled or bool(number.group(2))
        found.append((product, scaled))
    return found


def estimation_items(data: ReviewInput, params: dict) -> list[Hit]:
    """测算依据 (each expense line's, or the declaration's) lists 单价 × 数量 items that add up to the amount
    requested (当年预算; the expense lines' sum where it is empty). A product printed without 万/亿 may be in 元 or
    in 万元 — the form's units vary — and agrees in either."""
    texts = [e.basis for e in data.expenses if e.basis.strip()] or [data.estimation_basis]
    items = [item for text in texts for item in products(text)]
    requested = data.annual_budget
    if requested is None:
        amounts = [e.amount for e in data.expenses if e.amount is not None]
        requested = sum(amounts, Decimal(0)) if amounts else None
    if not items:
        return [Hit(ESTIMATION, {"detail": "测算依据没有按“单价×数量”列明测算过程。"})]
    if requested is None or requested <= 0:
        return []
    tolerance = Decimal(str(params.get("tolerance", "0.01"))) * requested
    plain = sum((p for p, scaled in items if not scaled), Decimal(0))
    scaled = sum((p for p, s in items if s), Decimal(0))
    candidates = [plain + scaled, plain * 10000 + scaled]
    if any(abs(total - requested) <= tolerance for total in candidates):
        return []
    detail = (
        f"测算依据各项“单价×数量”合计 {format_number(candidates[0])}，"
        f"与申请金额 {format_number(requested)} 元（{format_number(requested / 10000)} 万元）不一致。"
    )
    return [Hit(ESTIMATION, {"detail": detail})]


def cost_amount(row: RowInput, year: int) -> Decimal | None:
    """A 成本 row's value in 元, when it is an amount of money."""
    target = read_target(row, year)
    if not target.is_quantitative or target.unit not in MONEY_UNITS:
        return None
    return target.number * MONEY_UNITS[target.unit]


def cost_within_budget(data: ReviewInput, params: dict) -> list[Hit]:
    if data.annual_budget is None:
        return []
    hits = []
    for row in data.rows:
        if not row.in_category("成本"):
            continue
        amount = cost_amount(row, data.year)
        if amount is not None and amount > data.annual_budget:
            hits.append(row_hit(row, amount=format_number(amount), budget=format_number(data.annual_budget)))
    return hits


# The numbering of a list (1、 (2) （3） 4. 一、), which is no quantity: taken out before looking for a number.
LIST_NUMBER = re.compile(
    r"(^|[\s。；;，,：:])(?:[（(]?\d{1,2}(?:[、)）]|[.．](?!\d))|[（(]\d{1,2}[)）]|[一二三四五六七八九十]+、)"
)


def goal_quantity(data: ReviewInput, params: dict) -> list[Hit]:
    """The goal names a quantity or a date: an Arabic number, or a Chinese one with a measure word (三期, 两次);
    the numbers of a list (1、 (2) 一、) are not quantities."""
    text = LIST_NUMBER.sub(r"\1", data.goal_text)
    if re.search(r"\d", text):
        return []
    classifiers = params.get("classifiers", "")
    if classifiers and re.search(f"[一二两三四五六七八九十百千万]+[{re.escape(classifiers)}]", text):
        return []
    if any(word in text for word in params.get("date_words", [])):
        return []
    return [Hit(GOALS)]


def pairs(text: str) -> set[str]:
    """Every two adjacent Chinese characters of ``text``: the keywords two texts share."""
    return set(CJK_PAIR.findall(text or ""))


def row_relates_goal(data: ReviewInput, params: dict) -> list[Hit]:
    """A row relates to its goal — the declaration's goal, or the goal whose table it sits in (部门整体) — when its
    name shares two adjacent Chinese characters (不算 停用词) with the goal text, or the goal names its 二级 (数量,
    质量, 时效 …). 满意度 and 成本 rows are exempt by default; a row whose goal says nothing is not asked."""
    stop_words = set(params.get("stop_words", []))
    hits = []
    for row in data.rows:
        goal_text = row.goal_text if row.goal_text.strip() else data.goal_text
        if not goal_text.strip():
            continue
        if any(row.in_category(word) for word in params.get("exempt_level2", [])):
            continue
        if pairs(row.name) & (pairs(goal_text) - stop_words):
            continue
        if any(name.removesuffix("指标")[:2] in goal_text for name in row.category_names if name):
            continue
        hits.append(row_hit(row, goal=row.goal_name if row.goal_text.strip() else "绩效总目标"))
    return hits


def continuing_prior(data: ReviewInput, params: dict) -> list[Hit]:
    """A continuing project shows last year's self-evaluation grade and each row that missed its target, with
    whether this year's table still has that row."""
    if data.project_type not in params.get("project_types", []):
        return []
    prior = data.prior_evaluation
    if prior is None:
        return [Hit(CONTINUING, {"detail": f"没有本项目 {data.year - 1} 年的自评表，无法对照上年完成情况。"})]
    grade = f"{prior.total} 分，{prior.grade}" if prior.grade else (prior.total or "未评分")
    hits = [Hit(CONTINUING, {"detail": f"{prior.year} 年自评：{grade}；未达标指标 {len(prior.unmet)} 项。"})]
    names = {"".join(row.name.split()) for row in data.rows}
    for unmet in prior.unmet:
        kept = "本年仍设该指标" if "".join(str(unmet.get("name", "")).split()) in names else "本年未设该指标"
        reason = f"（原因：{unmet['reason']}）" if unmet.get("reason") else "（未说明原因）"
        hits.append(Hit(CONTINUING, {
            "detail": f"{prior.year} 年“{unmet.get('name')}”目标 {unmet.get('target') or '—'}，"
                      f"实际 {unmet.get('actual') or '—'}{reason}；{kept}，请说明如何改进。",
        }))  # fmt: skip
    return hits
