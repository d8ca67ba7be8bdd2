"""The three-level indicator tree: the national category table, the fields every indicator row carries, the library (docs/domain.md §3).

一级 and 二级 come from a fixed national category table (both the older layout and the 2021 one);
what the form printed is always kept beside the matched category, so that a free-form 二级 such as
004's 预算执行率 is stored as printed and shows up as unmatched instead of being rejected.
"""

from django.core.exceptions import ValidationError
from django.db import models

from .choices import CategoryLayout
from .services.values import COMPARATORS, NATURE_LABELS, RowValues, parse_row


class ReferenceQuerySet(models.QuerySet):
    """Reference tables every signed-in user reads (the category table, the library, the schemes)."""

    def for_user(self, user):
        return self if getattr(user, "is_authenticated", False) and user.is_active else self.none()


class IndicatorCategory(models.Model):
    """A 一级 or 二级 indicator category of the national list."""

    level = models.PositiveSmallIntegerField("级次", choices=[(1, "一级指标"), (2, "二级指标")])
    parent = models.ForeignKey(
        "self", verbose_name="上级指标", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    code = models.SlugField("编码", max_length=40, unique=True)
    name = models.CharField("指标名称", max_length=60)
    layout = models.CharField("适用版本", max_length=8, choices=CategoryLayout.choices, default=CategoryLayout.BOTH)
    aliases = models.JSONField(
        "其他写法", default=list, blank=True, help_text="原表可能写作的其他名称，如“可持续发展影响指标”。"
    )
    seq = models.PositiveSmallIntegerField("排序", default=0)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = "指标分类"
        verbose_name_plural = "指标分类（一级、二级）"
        ordering = ["level", "seq"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level=1, parent__isnull=True) | models.Q(level=2, parent__isnull=False),
                name="category_level_matches_parent",
                violation_error_message="一级指标没有上级，二级指标必须有上级。",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def names(self) -> list[str]:
        return [self.name, *self.aliases]


class IndicatorRowBase(models.Model):
    """What every indicator row carries, on a declaration or a self-evaluation."""

    seq = models.PositiveSmallIntegerField("序号")
    level1 = models.ForeignKey(
        IndicatorCategory,
        verbose_name="一级指标",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": 1},
    )
    level1_printed = models.CharField("一级指标（原表写法）", max_length=60, blank=True)
    level2 = models.ForeignKey(
        IndicatorCategory,
        verbose_name="二级指标",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": 2},
    )
    level2_printed = models.CharField("二级指标（原表写法）", max_length=120, blank=True)
    name = models.CharField("三级指标（指标内容）", max_length=300)
    target = models.CharField("指标值", max_length=300, blank=True)
    weight = models.DecimalField("分值", max_digits=6, decimal_places=2, null=True, blank=True)
    # Columns some forms print apart from the value (docs/domain.md §4): read together with target and actual.
    nature = models.CharField(
        "指标性质",
        max_length=12,
        blank=True,
        choices=list(NATURE_LABELS.items()),
        help_text="正向、反向或定性；空：按指标值判断。",
    )
    comparator = models.CharField(
        "比较符", max_length=2, blank=True, choices=COMPARATORS, help_text="表中单列的比较符（≥、≤ 等）。"
    )
    unit = models.CharField("计量单位", max_length=20, blank=True, help_text="表中单列的计量单位，如 %、人次。")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.level1_id and self.level2_id and self.level2.parent_id != self.level1_id:
            raise ValidationError({"level2": "二级指标不属于所选的一级指标。"})

    @property
    def category_matched(self) -> bool:
        """True when the printed 一级/二级 map to the national table."""
        return bool(self.level1_id) and (bool(self.level2_id) or not self.level2_printed)

    @property
    def default_nature(self) -> str:
        """成本 rows are 反向 unless the form prints otherwise."""
        # The matched categories where they are loaded (never a query per row); the printed names always.
        codes = tuple(
            getattr(self, name).code
            for name in ("level1", "level2")
            if getattr(self, f"{name}_id") and type(self)._meta.get_field(name).is_cached(self)
        )
        return cost_nature(codes, (self.level1_printed, self.level2_printed))

    def read_values(self, actual: str = "", *, year: int | None = None) -> RowValues:
        """The row's target (and an actual) read with the columns printed beside it: 指标性质, comparator, unit."""
        return read_row_values(self, self.default_nature, actual, year=year)


COST_CODES = ("cost", "output-cost")


def cost_nature(codes, names) -> str:
    """A row's default 指标性质 from its matched categories' codes and its printed 一级/二级 names: 成本 rows are 反向
    (``negative``), others have none. For rows read as plain data as well as for the models."""
    is_cost = any(code in COST_CODES for code in codes) or any("成本" in (name or "") for name in names)
    return "negative" if is_cost else ""


def read_row_values(row, default_nature: str, actual: str = "", *, year: int | None = None) -> RowValues:
    """``read_values`` of any row with the model's ``target``, ``unit``, ``comparator`` and ``nature``."""
    return parse_row(
        row.target, actual, unit=row.unit, comparator=row.comparator, nature=row.nature,
        default_nature=default_nature, year=year,
    )  # fmt: skip


class LibraryIndicator(models.Model):
    """A common 三级 indicator of the 指标库, curated by administrators and offered while filling."""

    DIRECTIONS = [("positive", "正向（越大越好）"), ("negative", "反向（越小越好）"), ("qualitative", "定性")]

    level2 = models.ForeignKey(
        IndicatorCategory,
        verbose_name="二级指标",
        on_delete=models.PROTECT,
        related_name="library",
        limit_choices_to={"level": 2},
    )
    name = models.CharField("三级指标", max_length=300)
    unit = models.CharField("计量单位", max_length=20, blank=True)
    direction = models.CharField("指标方向", max_length=12, choices=DIRECTIONS, default="positive")
    example = models.CharField("指标值示例", max_length=120, blank=True)
    use_count = models.PositiveIntegerField("使用次数", default=0)
    is_active = models.BooleanField("启用", default=True)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = "指标库指标"
        verbose_name_plural = "指标库"
        ordering = ["level2__seq", "-use_count", "name"]
        constraints = [models.UniqueConstraint(fields=["level2", "name"], name="library_indicator_unique")]

    def __str__(self) -> str:
        return self.name
