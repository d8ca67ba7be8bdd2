"""Bulk import and export of projects and of declaration indicators (django-import-export).

Every import runs in one transaction and is rolled back whole when any row is invalid; the admin's
first step is the dry run that shows each row's outcome and its errors in Chinese.
"""

import copy
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from import_export import fields, resources, widgets
from simple_history.utils import bulk_update_with_history

from indicators.categories import match_category, table_of
from indicators.models import IndicatorCategory
from indicators.services.values import parse_comparator, parse_nature
from projects.formulas import safe_cell, unsafe_cell
from projects.models import Indicator

from .bulkwrite import create_with_history
from .choices import DeclarationStatus, ProjectType
from .limits import declaration_row_count, row_cap_problem
from .models import Department, Project, ProjectDeclaration
from .years import YEAR_MESSAGE, is_valid_year

# A blank cell of a spreadsheet reads as None: text columns keep it as an empty text, as the form's fields do.
TEXT = widgets.CharWidget(allow_blank=True)


class ChineseChoiceWidget(widgets.Widget):
    """A choice written by its Chinese label (常年性项目) or its code (recurring)."""

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.by_label = {str(label): value for value, label in choices}
        self.values = {value for value, _ in choices}

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if text in self.values:
            return text
        if text in self.by_label:
            return self.by_label[text]
        raise ValueError(f"“{text}”不是有效的选项，可选：{'、'.join(self.by_label)}。")

    def render(self, value, obj=None, **kwargs):
        return {v: k for k, v in self.by_label.items()}.get(value, value)


class DepartmentCodeWidget(widgets.ForeignKeyWidget):
    def __init__(self):
        super().__init__(Department, "code")

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(str(value).strip() if value is not None else value, row, **kwargs)
        except Department.DoesNotExist:
            raise ValueError(f"部门编码“{value}”不存在。") from None


class YearWidget(widgets.IntegerWidget):
    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        try:
            year = int(Decimal(str(value).strip()))
        except (InvalidOperation, ValueError):
            raise ValueError(f"“{value}”不是有效的年份。") from None
        if not is_valid_year(year):
            raise ValueError(f"年份“{value}”超出范围：{YEAR_MESSAGE}")
        return year


class WeightWidget(widgets.DecimalWidget):
    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        try:
            return Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(f"分值“{value}”不是数字。") from None


class AllOrNothingResource(resources.ModelResource):
    """Any invalid row rolls the whole import back, wherever it is started from. Exported text that a spreadsheet
    would run as a formula is written as text (``projects.formulas``), and read back without the apostrophe."""

    def export_resource(self, instance, selected_fields=None, **kwargs):
        return [safe_cell(value) for value in super().export_resource(instance, selected_fields, **kwargs)]

    def before_import_row(self, row, **kwargs):
        for key, value in list(row.items()):
            row[key] = unsafe_cell(value)
        super().before_import_row(row, **kwargs)

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, dry_run, raise_errors, True, **kwargs)


class ProjectResource(AllOrNothingResource):
    key = fields.Field(attribute="key", column_name="项目编码")
    department = fields.Field(attribute="department", column_name="部门编码", widget=DepartmentCodeWidget())
    name = fields.Field(attribute="name", column_name="项目名称")
    project_type = fields.Field(
        attribute="project_type", column_name="项目类型", widget=ChineseChoiceWidget(ProjectType.choices)
    )
    period_start = fields.Field(attribute="period_start", column_name="起始年度", widget=YearWidget())
    period_end = fields.Field(attribute="period_end", column_name="终止年度", widget=YearWidget())

    class Meta:
        model = Project
        import_id_fields = ["key"]
        fields = ["key", "department", "name", "project_type", "period_start", "period_end"]
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True


class IndicatorResource(AllOrNothingResource):
    """The 三级 indicators of project declarations, one row each, identified by project, year and 序号."""

    project = fields.Field(column_name="项目编码", attribute="project_key", readonly=False)
    year = fields.Field(column_name="年度", attribute="year", readonly=False)
    seq = fields.Field(attribute="seq", column_name="序号", widget=widgets.IntegerWidget())
    level1_printed = fields.Field(attribute="level1_printed", column_name="一级指标", widget=TEXT)
    level2_printed = fields.Field(attribute="level2_printed", column_name="二级指标", widget=TEXT)
    name = fields.Field(attribute="name", column_name="三级指标", widget=TEXT)
    nature = fields.Field(attribute="nature", column_name="指标性质", widget=TEXT)
    comparator = fields.Field(attribute="comparator", column_name="比较符", widget=TEXT)
    target = fields.Field(attribute="target", column_name="指标值", widget=TEXT)
    unit = fields.Field(attribute="unit", column_name="计量单位", widget=TEXT)
    standard = fields.Field(attribute="standard", column_name="绩效标准", widget=TEXT)
    weight = fields.Field(attribute="weight", column_name="分值", widget=WeightWidget())

    class Meta:
        model = Indicator
        fields = [
            "project", "year", "seq", "level1_printed", "level2_printed", "name", "nature", "comparator", "target",
            "unit", "standard", "weight",
        ]  # fmt: skip
        import_id_fields = []
        clean_model_instances = True
        # Rows are written in batches (with their history), each declaration is read and checked once, and its
        # stored rows are read in one query: a template of 10 000 rows runs a few hundred queries, not 100 000.
        use_bulk = True
        batch_size = 1000

    # The model fields an import changes in a stored row (the resource's own field names are not all model fields;
    # a stored row was found in its declaration, which does not change).
    WRITTEN = ["seq", "level1_printed", "level2_printed", "level1", "level2", "name", "nature", "comparator",
               "target", "unit", "standard", "weight"]  # fmt: skip

    LOADED = ("project_declaration", "level1", "level2")  # set from loaded objects, not from the file

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self._meta = copy.copy(self._meta)  # this import's own options (the diff, below)
        self.user = user
        self.categories = {c.code: c for c in IndicatorCategory.objects.all()}
        self.category_table = table_of(self.categories.values())  # once, not per row (2 s of a 10 000-row import)
        self.declarations: dict[tuple[str, int | None], ProjectDeclaration | ValidationError] = {}
        self.stored: dict[int, dict[int, Indicator]] = {}  # declaration → its stored rows by 序号
        self.seen: set[tuple[int, int]] = set()  # (declaration, 序号) already in this file
        self.touched: set[int] = set()
        self.row_counts: dict[int, int] = {}  # each declaration's rows, counted once and as new rows come in

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        # Each row's before/after is what the admin's first step (the dry run) shows; the import itself does not
        # show it, and making it costs a third of a large import.
        self._meta.skip_diff = not dry_run
        return super().import_data(dataset, dry_run, raise_errors, use_transactions, **kwargs)

    def get_queryset(self):
        return self.filter_export(Indicator.objects.all()).order_by(
            "project_declaration__project__key", "project_declaration__year", "seq"
        )

    def filter_export(self, queryset, **kwargs):
        """Project declarations' rows only, in the user's scope, whatever queryset the admin passes: a 部门整体
        row has no 项目编码 and does not fit this sheet."""
        queryset = queryset.filter(project_declaration__isnull=False).select_related("project_declaration__project")
        if self.user is not None:
            queryset = queryset.filter(project_declaration__in=ProjectDeclaration.objects.for_user(self.user))
        return queryset

    def dehydrate_project(self, indicator):
        return indicator.project_declaration.project.key

    def dehydrate_year(self, indicator):
        return indicator.project_declaration.year

    def get_instance(self, instance_loader, row):
        declaration = self._declaration(row)
        try:
            seq = widgets.IntegerWidget().clean(row.get("序号"))
        except ValueError:
            return None  # the 序号 column's own error is reported for the row
        if seq is not None and (declaration.pk, seq) in self.seen:
            raise ValidationError(
                f"项目“{declaration.project.key}”{declaration.year} 年的序号 {seq} 在文件中出现了两次。"
            )
        self.seen.add((declaration.pk, seq))
        if declaration.pk not in self.stored:
            self.stored[declaration.pk] = {i.seq: i for i in Indicator.objects.filter(project_declaration=declaration)}
        return self.stored[declaration.pk].get(seq)

    def _declaration(self, row) -> ProjectDeclaration:
        key, year = str(row.get("项目编码") or "").strip(), YearWidget().clean(row.get("年度"))
        if (key, year) not in self.declarations:
            self.declarations[key, year] = self._checked_declaration(key, year)
        found = self.declarations[key, year]
        if isinstance(found, ValidationError):
            raise found
        return found

    def _checked_declaration(self, key: str, year: int | None) -> ProjectDeclaration | ValidationError:
        qs = ProjectDeclaration.objects.filter(project__key=key, year=year).select_related("project")
        if self.user is not None:
            qs = qs.for_user(self.user)
        declaration = qs.first()
        if declaration is None:
            return ValidationError(f"没有找到项目“{key}”{year} 年的申报表，或不在你的部门范围内。")
        if declaration.status not in {DeclarationStatus.DRAFT, DeclarationStatus.RETURNED}:
            return ValidationError(
                f"项目“{key}”{year} 年的申报表现为“{declaration.get_status_display()}”，不能导入修改。"
            )
        return declaration

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        instance.project_declaration = self._declaration(row)
        code1, code2 = match_category(instance.level1_printed, instance.level2_printed, self.category_table)
        instance.level1, instance.level2 = self.categories.get(code1), self.categories.get(code2)
        for name, parse, label in (("nature", parse_nature, "指标性质"), ("comparator", parse_comparator, "比较符")):
            printed = str(getattr(instance, name) or "").strip()
            setattr(instance, name, parse(printed) if printed else "")
            if printed and not getattr(instance, name):
                raise ValidationError({name: f"无法识别的{label}“{printed}”。"})
        instance.unit = str(instance.unit or "").strip()
        if not instance.name:
            raise ValidationError({"name": "三级指标不能为空。"})
        if instance.pk is None:
            declaration = instance.project_declaration
            if declaration.pk not in self.row_counts:
                self.row_counts[declaration.pk] = declaration_row_count(declaration)
            self.row_counts[declaration.pk] += 1
            if problem := row_cap_problem(self.row_counts[declaration.pk], f"项目“{declaration.project.key}”的申报表"):
                raise ValidationError(problem)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # The model's one constraint (a row belongs to exactly one declaration) holds by construction here (the
        # project declaration is set, the department one is not) and the database enforces it; the declaration and
        # the categories are objects loaded and checked above. Checking them again would cost queries per row.
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(
                exclude=[*errors.keys(), *self.LOADED], validate_unique=False, validate_constraints=False
            )
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def get_bulk_update_fields(self):
        return self.WRITTEN

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """Each batch with its history records, as saving row by row writes them."""
        if self.create_instances and (using_transactions or not dry_run):
            try:
                create_with_history(Indicator, self.create_instances, user=self.user, batch_size=batch_size)
                self.touched |= {i.project_declaration_id for i in self.create_instances}
            except Exception as e:  # noqa: BLE001 - reported in the result as import-export does
                self.handle_import_error(result, e, raise_errors)
            finally:
                self.create_instances.clear()

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if self.update_instances and (using_transactions or not dry_run):
            try:
                bulk_update_with_history(
                    self.update_instances, Indicator, self.WRITTEN, batch_size=batch_size, default_user=self.user,
                    manager=Indicator.objects,
                )  # fmt: skip
                self.touched |= {i.project_declaration_id for i in self.update_instances}
            except Exception as e:  # noqa: BLE001
                self.handle_import_error(result, e, raise_errors)
            finally:
                self.update_instances.clear()

    def after_import(self, dataset, result, **kwargs):
        """The declarations' last change moves, as a row saved on its own moves it (``touch_declaration``)."""
        super().after_import(dataset, result, **kwargs)
        if self.touched:
            ProjectDeclaration.objects.filter(pk__in=self.touched).update(updated_at=timezone.now())
