"""API of departments, projects and declarations: reads through the pages' selectors, writes through their services.

A declaration is written with the same service as the page and the Excel import (all or nothing, every row
validated by the model, a stale ``version`` refused with 409 and the other person's changes), moved through the workflow with the same services as the page, and read in the scope of ``for_user``.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from indicators.params import ID_MAX
from indicators.services.values import parse_comparator, parse_nature
from projects.models import Goal, Indicator
from projects.services.findings import declaration_findings, department_declaration_findings
from projects.services.organisation import department_create, project_create
from projects.services.writing import declaration_write
from projects.services.xlsx import ImportedDeclaration

from .access import is_manager
from .choices import DeclarationAction, DeclarationStatus
from .models import Department, DepartmentDeclaration, Project, ProjectDeclaration
from .money import UNIT_CHOICES, format_amount, to_yuan
from .services import workflow
from .years import YEAR_VALIDATORS

STATUS_CHOICES = DeclarationStatus.choices


class Amount(serializers.DecimalField):
    """An amount in the form's unit (万元 or 元), as on the page; stored in 元."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("error_messages", {"min_value": "金额不能为负数。"})
        super().__init__(max_digits=20, decimal_places=6, allow_null=True, required=False, **kwargs)


def amount_in_unit(obj, name, unit) -> str:
    return format_amount(getattr(obj, name), unit)


# -- reads -------------------------------------------------------------------------------------------


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "code", "name", "short_name", "region", "division_code", "parent"]


class ProjectSerializer(serializers.ModelSerializer):
    department_code = serializers.CharField(source="department.code", read_only=True)

    class Meta:
        model = Project
        fields = ["id", "key", "name", "department", "department_code", "project_type", "period_start", "period_end"]


class FindingSerializer(serializers.Serializer):
    code = serializers.CharField()
    severity = serializers.CharField()
    field = serializers.CharField()
    message = serializers.CharField()


class IndicatorSerializer(serializers.ModelSerializer):
    level1 = serializers.SerializerMethodField()
    level2 = serializers.SerializerMethodField()
    goal = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = [
            "id", "seq", "goal", "level1", "level2", "name", "prev2", "prev1", "nature", "comparator", "target", "unit",
            "standard", "weight",
        ]  # fmt: skip

    def get_level1(self, row) -> str:
        return row.level1_printed or (row.level1.name if row.level1_id else "")

    def get_level2(self, row) -> str:
        return row.level2_printed or (row.level2.name if row.level2_id else "")

    def get_goal(self, row) -> str:
        return row.goal.text if row.goal_id and row.goal.kind == "group" else ""


class DeclarationListSerializer(serializers.ModelSerializer):
    project_key = serializers.CharField(source="project.key", read_only=True)
    project_name = serializers.CharField(source="project.name", read_only=True)
    department = serializers.IntegerField(source="project.department_id", read_only=True)
    department_code = serializers.CharField(source="project.department.code", read_only=True)

    class Meta:
        model = ProjectDeclaration
        fields = [
            "id", "project", "project_key", "project_name", "department", "department_code", "year", "unit",
            "status", "fill_date", "updated_at",
        ]  # fmt: skip


class DeclarationDetailSerializer(DeclarationListSerializer):
    version = serializers.SerializerMethodField(help_text="写入（PUT）时原样带回，用于发现他人的修改")
    total_budget = serializers.SerializerMethodField()
    annual_budget = serializers.SerializerMethodField()
    basis = serializers.SerializerMethodField()
    goals = serializers.SerializerMethodField()
    funding = serializers.SerializerMethodField()
    expenses = serializers.SerializerMethodField()
    procurement = serializers.SerializerMethodField()
    indicators = IndicatorSerializer(many=True, read_only=True)
    findings = serializers.SerializerMethodField()

    class Meta(DeclarationListSerializer.Meta):
        fields = DeclarationListSerializer.Meta.fields + [
            "supervising_unit", "executing_unit", "leader", "phone", "address", "postcode", "application_reason",
            "main_content", "implementation_plan", "prior_budget_note", "estimation_basis", "total_budget",
            "annual_budget", "basis", "goals", "funding", "expenses", "procurement", "indicators", "findings",
            "reviewed_by", "reviewed_at", "review_comment", "version",
        ]  # fmt: skip

    def get_version(self, d) -> str:
        return d.updated_at.isoformat()

    def get_total_budget(self, d) -> str:
        return amount_in_unit(d, "total_budget", d.unit)

    def get_annual_budget(self, d) -> str:
        return amount_in_unit(d, "annual_budget", d.unit)

    def get_basis(self, d) -> list[str]:
        return [b.text for b in d.basis_items.all()]

    def get_goals(self, d) -> list[str]:
        return [g.text for g in d.goals.all() if g.kind == "overall"]

    def get_funding(self, d) -> list[dict]:
        return [
            {"name": f.name, "level": f.level, "amount": amount_in_unit(f, "amount", d.unit)}
            for f in d.funding_sources.all()
        ]

    def get_expenses(self, d) -> list[dict]:
        return [
            {"name": e.name, "economic_subject": e.economic_subject, "amount": amount_in_unit(e, "amount", d.unit), "basis": e.basis}
            for e in d.expense_items.all()
        ]  # fmt: skip

    def get_procurement(self, d) -> list[dict]:
        return [
            {"name": p.name, "quantity": p.quantity, "amount": amount_in_unit(p, "amount", d.unit)}
            for p in d.procurement_items.all()
        ]

    def get_findings(self, d) -> list[dict]:
        return FindingSerializer(declaration_findings(d), many=True).data


# -- writes ------------------------------------------------------------------------------------------


class StrictSerializer(serializers.Serializer):
    """Refuses keys it does not know (a misspelt field would otherwise be dropped without a word)."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(str(key) for key in set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {key: ["接口不认识这个栏目，本次没有保存任何内容。"] for key in unknown}
                )
        return super().to_internal_value(data)


class FundingIn(StrictSerializer):
    name = serializers.CharField(max_length=120)
    level = serializers.IntegerField(min_value=0, max_value=1, default=0)
    amount = Amount()


class ExpenseIn(StrictSerializer):
    name = serializers.CharField(max_length=200)
    economic_subject = serializers.CharField(max_length=120, allow_blank=True, default="")
    amount = Amount()
    basis = serializers.CharField(allow_blank=True, default="")


class PrintedChoice(serializers.CharField):
    """A column as a form prints it (正向, ≥, 不低于 …), stored as its key; anything unreadable is refused."""

    def __init__(self, parse, label: str, **kwargs):
        self.parse, self.label = parse, label
        super().__init__(max_length=12, allow_blank=True, default="", **kwargs)

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        if not text:
            return ""
        key = self.parse(text)
        if not key:
            raise serializers.ValidationError(f"无法识别的{self.label}“{text}”。")
        return key


class ProcurementIn(StrictSerializer):
    name = serializers.CharField(max_length=200)
    quantity = serializers.CharField(max_length=60, allow_blank=True, default="")
    amount = Amount()


class IndicatorIn(StrictSerializer):
    goal = serializers.CharField(max_length=300, allow_blank=True, default="", help_text="目标名称（003 样式），可空")
    level1 = serializers.CharField(max_length=60)
    level2 = serializers.CharField(max_length=120, allow_blank=True, default="")
    name = serializers.CharField(max_length=300)
    prev2 = serializers.CharField(max_length=300, allow_blank=True, default="")
    prev1 = serializers.CharField(max_length=300, allow_blank=True, default="")
    target = serializers.CharField(max_length=300, allow_blank=True, default="")
    standard = serializers.CharField(max_length=300, allow_blank=True, default="")
    weight = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True, default=None)
    nature = PrintedChoice(parse_nature, "指标性质", help_text="指标性质：正向、反向、定性（或 positive 等），可空")
    comparator = PrintedChoice(
        parse_comparator, "比较符", help_text="表中单列的比较符：≥ > = < ≤（或“不低于”等），可空"
    )
    unit = serializers.CharField(max_length=20, allow_blank=True, default="", help_text="表中单列的计量单位，可空")


TEXT_FIELDS = [
    "supervising_unit", "executing_unit", "leader", "phone", "address", "postcode", "application_reason",
    "main_content", "implementation_plan", "prior_budget_note", "estimation_basis",
]  # fmt: skip


class DeclarationWriteSerializer(StrictSerializer):
    """A whole declaration as the page and the Excel template fill it; amounts in ``unit``."""

    version = serializers.CharField(
        required=False, allow_blank=True, max_length=64,
        help_text="读取时详情中的 version；修改已有的申报表时必填，过期则 409 并列出他人的改动",
    )  # fmt: skip
    project_key = serializers.CharField(max_length=60)
    year = serializers.IntegerField(validators=YEAR_VALIDATORS)
    unit = serializers.ChoiceField(choices=UNIT_CHOICES, default="万元")
    fill_date = serializers.DateField(allow_null=True, required=False)
    supervising_unit = serializers.CharField(max_length=120, allow_blank=True, default="")
    executing_unit = serializers.CharField(max_length=200, allow_blank=True, default="")
    leader = serializers.CharField(max_length=60, allow_blank=True, default="")
    phone = serializers.CharField(max_length=60, allow_blank=True, default="")
    address = serializers.CharField(max_length=200, allow_blank=True, default="")
    postcode = serializers.CharField(max_length=20, allow_blank=True, default="")
    application_reason = serializers.CharField(allow_blank=True, default="")
    main_content = serializers.CharField(allow_blank=True, default="")
    implementation_plan = serializers.CharField(allow_blank=True, default="")
    prior_budget_note = serializers.CharField(allow_blank=True, default="")
    estimation_basis = serializers.CharField(allow_blank=True, default="")
    total_budget = Amount()
    annual_budget = Amount()
    basis = serializers.ListField(
        child=serializers.CharField(max_length=500), default=list, max_length=settings.MAX_FORM_ROWS
    )
    goals = serializers.ListField(child=serializers.CharField(), default=list, max_length=settings.MAX_FORM_ROWS)
    funding = FundingIn(many=True, default=list, max_length=settings.MAX_FORM_ROWS)
    expenses = ExpenseIn(many=True, default=list, max_length=settings.MAX_FORM_ROWS)
    procurement = ProcurementIn(many=True, default=list, max_length=settings.MAX_FORM_ROWS)
    indicators = IndicatorIn(many=True, default=list, max_length=settings.MAX_FORM_ROWS)

    def to_representation(self, instance):
        """What the browsable API's PUT form starts from: the form's key, year and unit and empty content, never
        a guess at the stored content; without ``version`` a write from it is refused, so nothing is wiped."""
        if isinstance(instance, ProjectDeclaration):
            return {
                **self.get_initial(),
                "project_key": instance.project.key,
                "year": instance.year,
                "unit": instance.unit,
            }
        return super().to_representation(instance)

    def imported(self) -> ImportedDeclaration:
        """The validated data in the shape the import service takes (amounts converted to 元)."""
        v = self.validated_data
        unit = v["unit"]

        def yuan(value):
            return to_yuan(value, unit) if value is not None else None

        header = {name: v.get(name, "") for name in TEXT_FIELDS}
        header.update(
            fill_date=v["fill_date"].isoformat() if v.get("fill_date") else None,
            total_budget=yuan(v.get("total_budget")),
            annual_budget=yuan(v.get("annual_budget")),
        )
        return ImportedDeclaration(
            project_key=v["project_key"], year=v["year"], unit=unit, header=header, basis=list(v["basis"]),
            goals=list(v["goals"]),
            funding=[{**f, "amount": yuan(f.get("amount"))} for f in v["funding"]],
            expenses=[{**e, "amount": yuan(e.get("amount"))} for e in v["expenses"]],
            procurement=[{**p, "amount": yuan(p.get("amount"))} for p in v["procurement"]],
            indicators=[dict(i) for i in v["indicators"]], version=v.get("version") or None,
        )  # fmt: skip


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.CharField(allow_null=True)
    new = serializers.CharField(allow_null=True)


class ChangeEntrySerializer(serializers.Serializer):
    date = serializers.DateTimeField()
    user = serializers.CharField(allow_null=True)
    what = serializers.CharField()
    kind = serializers.CharField()
    changes = ChangeSerializer(many=True)


class StaleSerializer(serializers.Serializer):
    """409: the copy was older than the stored declaration; nothing was written."""

    detail = serializers.CharField()
    version = serializers.CharField()
    changes = ChangeEntrySerializer(many=True)


class CommentSerializer(StrictSerializer):
    comment = serializers.CharField(allow_blank=True, default="", max_length=2000)


# -- viewsets ----------------------------------------------------------------------------------------


def _created(run, serializer_class) -> Response:
    """Run a create service; a model rule it breaks comes back as 400 with its message, nothing saved."""
    try:
        obj = run()
    except ValidationError as exc:
        raise serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from None
    return Response(serializer_class(obj).data, status=status.HTTP_201_CREATED)


class DepartmentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """部门（单位）. Administrators create departments (with their 行政区划 code, which chooses their schemes)."""

    serializer_class = DepartmentSerializer
    filterset_fields = ["code", "region", "parent", "division_code"]

    def get_queryset(self):
        return Department.objects.for_user(self.request.user).order_by("code")

    def create(self, request, *args, **kwargs):
        if not is_manager(request.user):
            raise PermissionDenied("只有系统管理员可以新建部门。")
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return _created(lambda: department_create(user=request.user, **payload.validated_data), DepartmentSerializer)


class ProjectFilter(filters.FilterSet):
    department = filters.NumberFilter(field_name="department_id", min_value=1, max_value=ID_MAX)
    department_code = filters.CharFilter(field_name="department__code")

    class Meta:
        model = Project
        fields = ["department", "department_code", "project_type"]


class ProjectViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """项目库. Administrators create projects."""

    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter

    def create(self, request, *args, **kwargs):
        if not is_manager(request.user):
            raise PermissionDenied("只有系统管理员可以新建项目。")
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return _created(lambda: project_create(user=request.user, **payload.validated_data), ProjectSerializer)

    def get_queryset(self):
        return (
            Project.objects.for_user(self.request.user).select_related("department").order_by("department__code", "key")
        )


class DeclarationFilter(filters.FilterSet):
    department = filters.NumberFilter(field_name="project__department_id", min_value=1, max_value=ID_MAX)
    department_code = filters.CharFilter(field_name="project__department__code")
    state = filters.ChoiceFilter(field_name="status", choices=STATUS_CHOICES)

    class Meta:
        model = ProjectDeclaration
        fields = ["department", "department_code", "year", "state", "project"]


def _workflow_response(view, run):
    declaration = view.get_object()
    run(declaration)
    fresh = view.get_queryset().get(pk=declaration.pk)
    return Response(DeclarationDetailSerializer(fresh).data)


class DeclarationViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """项目绩效目标申报表. POST/PUT write the whole form (drafts and returned ones only); actions move it on."""

    filterset_class = DeclarationFilter
    http_method_names = ["get", "post", "put", "head", "options"]

    def get_queryset(self):
        qs = ProjectDeclaration.objects.for_user(self.request.user).select_related("project__department")
        if self.action != "list":
            qs = qs.prefetch_related(
                "basis_items", "funding_sources", "expense_items", "procurement_items", "goals", "prior_years",
                Prefetch("indicators", queryset=Indicator.objects.select_related("level1", "level2", "goal").order_by("seq")),
            )  # fmt: skip
        return qs.order_by("-year", "project__department__code", "project__key")

    def get_serializer_class(self):
        if self.action in {"create", "update"}:
            return DeclarationWriteSerializer
        if self.action in {"approve", "return_", "submit"}:
            return CommentSerializer if self.action != "submit" else serializers.Serializer
        return DeclarationListSerializer if self.action == "list" else DeclarationDetailSerializer

    def _write(self, request, expected=None):
        serializer = DeclarationWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.imported()
        if expected is not None and (data.project_key, data.year) != (expected.project.key, expected.year):
            raise serializers.ValidationError({"detail": "项目或年度与这张申报表不符。"})
        if expected is not None and not data.version:
            raise serializers.ValidationError(
                {"version": ["请给出你读取申报表时的 version（详情中的 version），否则可能覆盖他人的修改。"]}
            )
        declaration = declaration_write(
            user=request.user,
            data=data,
            version=data.version,
            channel=DeclarationAction.API_WRITE,
            declaration=expected,
        )
        fresh = self.get_queryset().get(pk=declaration.pk)
        return DeclarationDetailSerializer(fresh).data

    @extend_schema(request=DeclarationWriteSerializer, responses=DeclarationDetailSerializer)
    def create(self, request, *args, **kwargs):
        return Response(self._write(request), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=DeclarationWriteSerializer, responses={200: DeclarationDetailSerializer, 409: StaleSerializer}
    )
    def update(self, request, *args, **kwargs):
        return Response(self._write(request, expected=self.get_object()))

    @extend_schema(request=None, responses=DeclarationDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return _workflow_response(self, lambda d: workflow.declaration_submit(declaration=d, user=request.user))

    def _review(self, request, approve: bool):
        comment = CommentSerializer(data=request.data)
        comment.is_valid(raise_exception=True)
        text = comment.validated_data["comment"]
        return _workflow_response(
            self, lambda d: workflow.declaration_review(declaration=d, user=request.user, approve=approve, comment=text)
        )

    @extend_schema(request=CommentSerializer, responses=DeclarationDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._review(request, approve=True)

    @extend_schema(request=CommentSerializer, responses=DeclarationDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        return self._review(request, approve=False)


class DepartmentDeclarationSerializer(serializers.ModelSerializer):
    department_code = serializers.CharField(source="department.code", read_only=True)
    funds = serializers.SerializerMethodField()
    goals = serializers.SerializerMethodField()
    findings = serializers.SerializerMethodField()

    class Meta:
        model = DepartmentDeclaration
        fields = [
            "id", "department", "department_code", "year", "unit", "status", "fill_date", "filler", "phone",
            "functions", "annual_tasks", "funds", "goals", "findings", "updated_at",
        ]  # fmt: skip

    def get_funds(self, d) -> list[dict]:
        return [
            {"section": f.section, "name": f.name, "amount": amount_in_unit(f, "amount", d.unit), "share": f.share_printed,
             "prev1": amount_in_unit(f, "prev1", d.unit), "prev2": amount_in_unit(f, "prev2", d.unit)}
            for f in d.fund_lines.all()
        ]  # fmt: skip

    def get_goals(self, d) -> list[dict]:
        rows: dict = {}
        for row in d.indicators.all():
            rows.setdefault(row.goal_id, []).append(row)
        return [
            {"kind": g.kind, "seq": g.seq, "text": g.text, "indicators": IndicatorSerializer(rows.get(g.pk, []), many=True).data}
            for g in d.goals.all()
        ]  # fmt: skip

    def get_findings(self, d) -> list[dict]:
        return FindingSerializer(department_declaration_findings(d), many=True).data


class DepartmentDeclarationFilter(filters.FilterSet):
    department_code = filters.CharFilter(field_name="department__code")
    state = filters.ChoiceFilter(field_name="status", choices=STATUS_CHOICES)

    class Meta:
        model = DepartmentDeclaration
        fields = ["department", "department_code", "year", "state"]


class DepartmentDeclarationViewSet(viewsets.ReadOnlyModelViewSet):
    """部门整体支出绩效目标申报表 (read; filled on its page)."""

    serializer_class = DepartmentDeclarationSerializer
    filterset_class = DepartmentDeclarationFilter

    def get_queryset(self):
        return (
            DepartmentDeclaration.objects.for_user(self.request.user)
            .select_related("department")
            .prefetch_related(
                "fund_lines",
                Prefetch("goals", queryset=Goal.objects.order_by("kind", "seq")),
                Prefetch(
                    "indicators", queryset=Indicator.objects.select_related("level1", "level2", "goal").order_by("seq")
                ),
            )
            .order_by("-year", "department__code")
        )
