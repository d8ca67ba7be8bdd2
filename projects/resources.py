"""Bulk import and export of projects and of declaration indicators (django-import-export).

Every import runs in one transaction and is rolled back whole when any row is invalid; the admin's
first step is the dry run that shows each row's outcome and its errors in Chinese.
"""

import copy
from decimal import Decimal, InvalidOperation
from io import BytesIO

import openpyxl
import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models.base import ModelState
from django.db.models.expressions import DatabaseDefault
from django.db.models.signals import post_init, pre_init
from django.utils import timezone
from import_export import fields, resources, widgets
from import_export.formats.base_formats import XLSX
from import_export.results import RowResult
from import_export.utils import atomic_if_using_transaction
from simple_history.utils import bulk_update_with_history

from indicators.categories import match_category, table_of
from indicators.models import IndicatorCategory
from indicators.services.values import parse_comparator, parse_nature
from projects.formulas import safe_cell, unsafe_cell
from projects.models import Indicator

from .bulkwrite import create_with_history
from .choices import DeclarationStatus, ProjectType
from .limits import declaration_row_count, max_form_rows, row_cap_problem
from .models import Department, Project, ProjectDeclaration
from .years import YEAR_MESSAGE, is_valid_year


class SheetXLSX(XLSX):
    """import-export's ``XLSX`` format, its first sheet read once by openpyxl (read-only) as values rather than
    as a cell object each: the same dataset (headers, rows, blank lines kept or dropped as the setting says)."""

    def create_dataset(self, in_stream):
        book = openpyxl.load_workbook(BytesIO(in_stream), read_only=True, data_only=True)
        try:
            rows = book.active.iter_rows(values_only=True)
            dataset = tablib.Dataset()
            dataset.headers = list(next(rows))
            ignore_blanks = getattr(settings, "IMPORT_EXPORT_IMPORT_IGNORE_BLANK_LINES", False)
            for row in rows:
                if not ignore_blanks or not all(value is None for value in row):
                    dataset.append(list(row))
            return dataset
        finally:
            book.close()


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


class SeqWidget(widgets.IntegerWidget):
    """序号: a whole number (import-export's own widget reads 五十五 as a decimal error in English, 1.5 as 1)."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(f"序号“{value}”不是数字，请写阿拉伯数字（如 55）。") from None
        if not number.is_finite() or number != number.to_integral_value():
            raise ValueError(f"序号“{value}”应为整数。")
        return int(number)


class WeightWidget(widgets.DecimalWidget):
    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        try:
            return Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(f"分值“{value}”不是数字。") from None


def cell_key(value) -> tuple | None:
    """A cell's value as a key of the per-import memos: its type and, beyond text and integers, its exact writing
    (1, 1.0 and True read differently as text; Decimal 1.000 has more places than 1, yet they are equal); None for a
    value that cannot be a key."""
    kind = type(value)
    if kind in (str, int) or value is None:
        return (kind, value)
    try:
        hash(value)
    except TypeError:
        return None
    return (kind, repr(value))


CONSTANT = frozenset({str, int, bool, type(None), Decimal})  # values shared safely between instances


def memoized_clean(field: fields.Field):
    """``field.clean`` remembering each distinct cell it read (the value or the ``ValueError``'s message; any other
    exception is raised afresh each time), for widgets that read the cell only (not the rest of the row, nor the
    import's options): a column's repeated values (一级指标, 分值, 计量单位 …) are read once per import."""
    clean, seen = field.clean, {}

    def cached(row, **kwargs):
        if field.column_name not in row:
            return clean(row, **kwargs)
        value = row[field.column_name]
        kind = type(value)
        key = (kind, value) if kind is str or kind is int or value is None else cell_key(value)
        if key is None:
            return clean(row, **kwargs)
        found = seen.get(key)
        if found is None:
            try:
                found = seen[key] = (True, clean(row))
            except ValueError as e:
                found = seen[key] = (False, str(e))
        if not found[0]:
            raise ValueError(found[1])
        return found[1]

    return cached


class AllOrNothingResource(resources.ModelResource):
    """Any invalid row rolls the whole import back, wherever it is started from. Exported text that a spreadsheet
    would run as a formula is written as text (``projects.formulas``), and read back without the apostrophe."""

    def export_resource(self, instance, selected_fields=None, **kwargs):
        return [safe_cell(value) for value in super().export_resource(instance, selected_fields, **kwargs)]

    def before_import_row(self, row, **kwargs):
        for key, value in list(row.items()):
            if isinstance(value, str) and value.startswith("'"):  # else ``unsafe_cell`` keeps it as it is
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
    seq = fields.Field(attribute="seq", column_name="序号", widget=SeqWidget())
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
        batch_size = 5000

    # The model fields an import changes in a stored row (the resource's own field names are not all model fields;
    # a stored row was found in its declaration, which does not change).
    WRITTEN = ["seq", "level1_printed", "level2_printed", "level1", "level2", "name", "nature", "comparator",
               "target", "unit", "standard", "weight"]  # fmt: skip

    LOADED = ("project_declaration", "level1", "level2")  # set from loaded objects, not from the file

    def __init__(self, user=None, *, lean: bool = True, **kwargs):
        super().__init__(**kwargs)
        self._meta = copy.copy(self._meta)  # this import's own options (the diff, below)
        self.user = user
        self.lean = lean  # the import (not the dry run) without import-export's per-row loop: ``import_data_inner``
        self.categories = {c.code: c for c in IndicatorCategory.objects.all()}
        self.category_table = table_of(self.categories.values())  # once, not per row (2 s of a 10 000-row import)
        self.declarations: dict[tuple[str, int | None], ProjectDeclaration | ValidationError] = {}
        self.stored: dict[int, dict[int, Indicator]] = {}  # declaration → its stored rows by 序号
        self.seen: set[tuple[int, int]] = set()  # (declaration, 序号) already in this file
        self.touched: set[int] = set()
        self.row_counts: dict[int, int] = {}  # each declaration's rows, counted once and as new rows come in
        # Every rule below reads a row's cells with pure functions (widgets, the model fields' checks, the category
        # and wording parsers): each distinct value is read once per import, not once per row (issue 17).
        for field in self.fields.values():  # this resource's own copies of the fields
            field.clean = memoized_clean(field)
        self._import_fields = super().get_import_fields()
        # The fields import-export's ``import_instance`` sets (``import_field`` → ``Field.save``), all plain here.
        self._cells = [f for f in self._import_fields if not isinstance(f.widget, widgets.ManyToManyWidget)]
        assert all(f.attribute and "__" not in f.attribute and not f.readonly for f in self._cells)
        self._years: dict = {}
        self._matched: dict = {}
        self._parsed: dict = {}
        self._checked: dict = {}
        self._blank: dict | None = None  # a new row's attributes (``init_instance``)

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        # Each row's before/after is what the admin's first step (the dry run) shows; the import itself does not
        # show it, and making it costs a third of a large import.
        self._meta.skip_diff = not dry_run
        return super().import_data(dataset, dry_run, raise_errors, use_transactions, **kwargs)

    def get_import_fields(self):
        return self._import_fields

    def import_data_inner(self, dataset, dry_run, raise_errors, using_transactions, collect_failed_rows, **kwargs):
        """The import itself (not the dry run, which shows each row's diff): import-export's loop over the rows
        (``Resource.import_data_inner`` and ``import_row``) without what only the dry run's page needs — the same
        hooks and row rules (``get_instance``, ``import_instance``, ``validate_instance``), the same batches, the
        same result (each row's outcome, the invalid rows with their messages, the totals)."""
        if dry_run or raise_errors or collect_failed_rows or not self.lean or not self._meta.skip_diff:
            return super().import_data_inner(
                dataset, dry_run, raise_errors, using_transactions, collect_failed_rows, **kwargs
            )
        result = self.get_result_class()()
        result.diff_headers = self.get_diff_headers()
        result.total_rows = len(dataset)
        using = self.get_db_connection_name()
        try:
            with atomic_if_using_transaction(using_transactions, using=using):
                self.before_import(dataset, **kwargs)
            self._check_import_id_fields(dataset.headers)
        except Exception as e:  # noqa: BLE001 - reported in the result as import-export does
            self.handle_import_error(result, e, raise_errors)
        result.total_rows = len(dataset)
        if not self._meta.store_instance:
            self._meta.store_instance = kwargs.get("retain_instance_in_row_result", False)
        kwargs.update({"dry_run": dry_run, "using_transactions": using_transactions})
        size = self._meta.batch_size
        headers = dataset.headers
        for number, values in enumerate(dataset, 1):
            row = dict(zip(headers, values, strict=False))
            kwargs["row_number"] = number
            row_result = self._import_one(row, **kwargs)
            for pending, write in (
                (self.create_instances, self.bulk_create),
                (self.update_instances, self.bulk_update),
            ):
                if len(pending) == size:
                    with atomic_if_using_transaction(using_transactions, using=using):
                        write(using_transactions, dry_run, raise_errors, batch_size=size, result=result)
            result.increment_row_result_total(row_result)
            if row_result.errors:
                result.append_error_row(number, row, row_result.errors)
            elif row_result.validation_error:
                result.append_invalid_row(number, row, row_result.validation_error)
            result.append_row_result(row_result)  # no row is skipped: the outcome is new, update or a failure
        with atomic_if_using_transaction(using_transactions, using=using):
            self.bulk_create(using_transactions, dry_run, raise_errors, result=result)
            self.bulk_update(using_transactions, dry_run, raise_errors, result=result)
            self.bulk_delete(using_transactions, dry_run, raise_errors, result=result)
        try:
            with atomic_if_using_transaction(using_transactions, using=using):
                self.after_import(dataset, result, **kwargs)
        except Exception as e:  # noqa: BLE001
            self.handle_import_error(result, e, raise_errors)
        return result

    def _import_one(self, row, **kwargs) -> RowResult:
        """``Resource.import_row`` of one row of the import (no diff, no delete, no row skipped, written in bulk)."""
        row_result = self.get_row_result_class()()
        if self._meta.store_row_values:
            row_result.row_values = row
        try:
            self.before_import_row(row, **kwargs)
            instance, new = self.get_or_init_instance(None, row)
            self.after_init_instance(instance, new, row, **kwargs)
            row_result.import_type = RowResult.IMPORT_TYPE_NEW if new else RowResult.IMPORT_TYPE_UPDATE
            errors = {}
            try:
                self.import_instance(instance, row, **kwargs)
            except ValidationError as e:
                errors = e.update_error_dict(errors)
            self.validate_instance(instance, errors)
            self.save_instance(instance, new, row, **kwargs)
            row_result.add_instance_info(instance)
            if self._meta.store_instance:
                row_result.instance = instance
            self.after_import_row(row, row_result, **kwargs)
        except ValidationError as e:
            row_result.import_type = RowResult.IMPORT_TYPE_INVALID
            row_result.validation_error = e
        except Exception as e:  # noqa: BLE001 - the row's error, as import-export reports it
            row_result.import_type = RowResult.IMPORT_TYPE_ERROR
            row_result.errors.append(self.get_error_result_class()(e, row=row, number=kwargs["row_number"]))
        return row_result

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
            seq = self.fields["seq"].clean({"序号": row.get("序号")})  # the 序号 column's SeqWidget
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
        key, year = str(row.get("项目编码") or "").strip(), self._year(row.get("年度"))
        if (key, year) not in self.declarations:
            self.declarations[key, year] = self._checked_declaration(key, year)
        found = self.declarations[key, year]
        if isinstance(found, ValidationError):
            raise found
        return found

    def _year(self, value) -> int | None:
        key = cell_key(value)
        found = self._years.get(key) if key is not None else None
        if found is None:
            try:
                found = (True, YearWidget().clean(value))
            except ValueError as e:
                found = (False, str(e))
            if key is not None:
                self._years[key] = found
        if not found[0]:
            raise ValueError(found[1])
        return found[1]

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

    def init_instance(self, row=None):
        """A new row as ``Indicator()`` makes it: a copy of the one made first (Django's ``__init__`` sets each field
        to its default, the same constants every time, and no signal listens to a row being made: a tenth of a
        large import)."""
        if self._blank is None:
            made = super().init_instance(row)
            values = {k: v for k, v in vars(made).items() if k != "_state"}
            self._blank = values if all(type(v) in CONSTANT for v in values.values()) else {}
            return made
        if not self._blank or pre_init.has_listeners(Indicator) or post_init.has_listeners(Indicator):
            return super().init_instance(row)
        instance = Indicator.__new__(Indicator)
        instance._state = ModelState()
        instance.__dict__.update(self._blank)
        return instance

    def import_instance(self, instance, row, **kwargs):
        # import-export's ``import_instance``: each field's widget reads its cell (``Field.save``: the value set unless
        # None), a ``ValueError`` is that field's message; then the rows' own rules.
        errors = {}
        for field in self._cells:
            if field.column_name not in row:
                continue
            try:
                value = field.clean(row)  # the widgets here read the cell only (``memoized_clean``)
            except ValueError as e:
                errors[field.attribute] = ValidationError(str(e), code="invalid")
                continue
            if value is not None or field.saves_null_values:
                setattr(instance, field.attribute, value)
        if errors:
            raise ValidationError(errors)
        instance.project_declaration = self._declaration(row)
        printed = (instance.level1_printed, instance.level2_printed)
        if printed not in self._matched:
            codes = match_category(*printed, self.category_table)
            self._matched[printed] = (self.categories.get(codes[0]), self.categories.get(codes[1]))
        instance.level1, instance.level2 = self._matched[printed]
        for name, parse, label in (("nature", parse_nature, "指标性质"), ("comparator", parse_comparator, "比较符")):
            printed = str(getattr(instance, name) or "").strip()
            if (name, printed) not in self._parsed:
                self._parsed[name, printed] = parse(printed) if printed else ""
            setattr(instance, name, self._parsed[name, printed])
            if printed and not getattr(instance, name):
                raise ValidationError({name: f"无法识别的{label}“{printed}”。"})
        instance.unit = str(instance.unit or "").strip()
        if not instance.name:
            raise ValidationError({"name": "三级指标不能为空。"})
        if instance.pk is None:
            declaration = instance.project_declaration
            if declaration.pk not in self.row_counts:
                self.row_counts[declaration.pk] = declaration_row_count(declaration)
            count = self.row_counts[declaration.pk] = self.row_counts[declaration.pk] + 1
            if count > max_form_rows():  # the message only past the cap (``row_cap_problem`` is None below it)
                raise ValidationError(row_cap_problem(count, f"项目“{declaration.project.key}”的申报表"))

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # The model's one constraint (a row belongs to exactly one declaration) holds by construction here (the
        # project declaration is set, the department one is not) and the database enforces it; the declaration and
        # the categories are objects loaded and checked above. Checking them again would cost queries per row.
        errors = dict(import_validation_errors or {})
        try:
            self._full_clean(instance, exclude={*errors.keys(), *self.LOADED})
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def _full_clean(self, instance, exclude: set) -> None:
        """``instance.full_clean(exclude, validate_unique=False, validate_constraints=False)``, each model field's
        check (``Field.clean``: a pure function of the value for the columns read here) made once per distinct
        value; relations are checked as Django checks them."""
        errors = {}
        for f in instance._meta.fields:  # Model.clean_fields
            if f.name in exclude or f.generated:
                continue
            raw = getattr(instance, f.attname)
            kind = type(raw)
            if f.blank and (raw == "" if kind is str else raw in f.empty_values):  # text: empty is ""
                continue
            if kind not in CONSTANT and isinstance(raw, DatabaseDefault):
                continue
            checked = self._checked.setdefault(f.name, {})
            key = None if f.is_relation else (kind, raw) if kind is str or kind is int else cell_key(raw)
            found = checked.get(key) if key is not None else None
            if found is None:
                try:
                    found = (True, f.clean(raw, instance))
                except ValidationError as e:
                    found = (False, e.error_list)
                if key is not None:
                    checked[key] = found
            if found[0]:
                setattr(instance, f.attname, found[1])
            else:
                errors[f.name] = list(found[1])
        errors = ValidationError(errors).update_error_dict({}) if errors else {}
        try:
            instance.clean()
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
