"""API of the 项目支出绩效目标执行监控表: read with its lights, started and written through the page's services (the
same rights, checks and stale-version refusal: 409), moved through the workflow and given decisions by the page's
services, in the scope of ``for_user`` (another department's form or declaration is 404)."""

from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from indicators.params import ID_MAX

from .api import Amount, CommentSerializer, StrictSerializer
from .choices import DeclarationStatus, Likelihood, MonitoringDecisionKind
from .models import MonitoringForm, MonitoringPeriod, MonitoringRow, ProjectDeclaration
from .money import to_yuan
from .selectors import monitoring_board_forms, monitoring_forms_with_lights
from .services import monitoring as service
from .services.checks import ChecksPending
from .services.monitoring_checks import current_monitoring_checks, stored_light
from .services.monitoring_lights import parse_plan
from .sheets import monitoring_sheet


def _light(light) -> dict:
    return {"colour": light.colour, "label": light.label, "formula": light.formula}


class LightSerializer(serializers.Serializer):
    colour = serializers.CharField()
    label = serializers.CharField()
    formula = serializers.CharField()


class MonitoringListSerializer(serializers.ModelSerializer):
    """A form of a list with its project light and budget light (the list's selector loads what they need)."""

    project_key = serializers.CharField(source="declaration.project.key", read_only=True)
    project_name = serializers.CharField(source="declaration.project.name", read_only=True)
    department = serializers.IntegerField(source="declaration.project.department_id", read_only=True)
    department_code = serializers.CharField(source="declaration.project.department.code", read_only=True)
    period_name = serializers.CharField(source="period.name", read_only=True)
    project_light = serializers.SerializerMethodField()
    budget_light = serializers.SerializerMethodField()

    class Meta:
        model = MonitoringForm
        fields = [
            "id", "declaration", "project_key", "project_name", "department", "department_code", "year", "period",
            "period_name", "end_month", "unit", "status", "project_light", "budget_light", "updated_at",
        ]  # fmt: skip

    def _lights(self, form):
        if not hasattr(form, "_api_lights"):
            form._api_lights = service.form_lights(form)
        return form._api_lights

    @extend_schema(responses=LightSerializer)
    def get_project_light(self, form) -> dict:
        stored = getattr(form, "stored_check", None)  # a list reads its forms' stored checks
        return _light(stored_light(stored.lights["project"]) if stored else self._lights(form).worst)

    @extend_schema(responses=LightSerializer)
    def get_budget_light(self, form) -> dict:
        stored = getattr(form, "stored_check", None)
        return _light(stored_light(stored.lights["budget"]) if stored else self._lights(form).budget)


class MonitoringDetailSerializer(MonitoringListSerializer):
    version = serializers.IntegerField(read_only=True, help_text="更新时须原样送回，用于发现他人的并发修改")
    budget = serializers.SerializerMethodField()
    rows = serializers.SerializerMethodField()
    decisions = serializers.SerializerMethodField()

    class Meta(MonitoringListSerializer.Meta):
        fields = MonitoringListSerializer.Meta.fields + [
            "version", "spending_plan", "budget", "rows", "decisions", "review_comment", "reviewed_at", "submitted_at",
        ]  # fmt: skip

    def get_budget(self, form) -> list[dict]:
        sheet = monitoring_sheet(form)
        lines = [
            {"id": line.pk, "seq": line.seq, "level": line.level} | shown
            for line, shown in zip(form.budget_lines.all(), sheet["budget_rows"], strict=True)
        ]
        return lines + [{"id": None, "name": "合计"} | sheet["total_row"]]

    def get_rows(self, form) -> list[dict]:
        fields = ["id", "seq", "level1", "level2", "name", "target", "value_to_date", "forecast",
                  *MonitoringRow.CAUSE_FIELDS, "likelihood", "reason", "suggestion", "remark", "plan"]  # fmt: skip
        return [
            {name: getattr(row, name) for name in fields} | {"light": _light(light)}
            for row, light in zip(form.rows.all(), self._lights(form).indicators, strict=True)
        ]

    def get_decisions(self, form) -> list[dict]:
        return [
            {"kind": d.kind, "kind_display": d.get_kind_display(), "reason": d.reason, "respond_by": d.respond_by,
             "light": d.light, "decided_by": str(d.decided_by), "decided_at": d.decided_at}
            for d in form.decisions.all()
        ]  # fmt: skip


class MonitoringBudgetLineIn(StrictSerializer):
    id = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    initial_budget = Amount()
    annual_budget = Amount()
    executed = Amount()
    forecast = Amount()


def _plan_field(**kwargs):
    def check(value):
        try:
            parse_plan(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None

    return serializers.CharField(allow_blank=True, required=False, max_length=120, validators=[check], **kwargs)


class MonitoringRowIn(StrictSerializer):
    id = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    value_to_date = serializers.CharField(allow_blank=True, required=False, max_length=300)
    forecast = serializers.CharField(allow_blank=True, required=False, max_length=300)
    cause_funding = serializers.BooleanField(required=False)
    cause_rules = serializers.BooleanField(required=False)
    cause_staff = serializers.BooleanField(required=False)
    cause_facilities = serializers.BooleanField(required=False)
    cause_other = serializers.BooleanField(required=False)
    likelihood = serializers.ChoiceField(choices=[("", "未选"), *Likelihood.choices], required=False)
    reason = serializers.CharField(allow_blank=True, required=False, max_length=2000)
    suggestion = serializers.CharField(allow_blank=True, required=False, max_length=2000)
    remark = serializers.CharField(allow_blank=True, required=False, max_length=300)
    plan = _plan_field()


class MonitoringWriteSerializer(StrictSerializer):
    """The lines and rows to change, by id; a field left out keeps its value. Amounts are in the form's unit."""

    version = serializers.IntegerField(min_value=1, help_text="读取监控表时的 version；表已被他人修改则 409")
    spending_plan = _plan_field()
    budget = MonitoringBudgetLineIn(many=True, required=False)
    rows = MonitoringRowIn(many=True, required=False)


class MonitoringStartSerializer(StrictSerializer):
    """Start the monitoring form of an approved declaration (as the declaration page's 填报运行监控表 does)."""

    declaration = serializers.IntegerField(min_value=1, max_value=ID_MAX, help_text="已审核的项目申报表的 id")
    period = serializers.IntegerField(
        required=False, min_value=1, max_value=ID_MAX, help_text="监控期间的 id；不给则为本地区本年度当前的监控期间"
    )


KIND_MESSAGE = "处理意见应为 继续执行、调整绩效目标、调减预算、暂缓拨款 或 停止拨款 之一。"


class MonitoringDecisionSerializer(StrictSerializer):
    """A decision for the monitored project (as the page's 处理意见 form), with its reason and response deadline."""

    kind = serializers.CharField(
        max_length=16,
        help_text="处理意见：continue 继续执行 / adjust_targets 调整绩效目标 / cut_budget 调减预算 / suspend 暂缓拨款 / "
        "stop 停止拨款（也可直接写中文名称）",
        error_messages={"blank": "请选择处理意见。", "required": "请选择处理意见。"},
    )
    reason = serializers.CharField(
        max_length=2000, error_messages={"blank": "请填写处理理由。", "required": "请填写处理理由。"}
    )
    respond_by = serializers.DateField(
        help_text="部门反馈期限（YYYY-MM-DD）",
        error_messages={"invalid": "部门反馈期限应写作 YYYY-MM-DD。", "required": "请填写部门反馈期限。"},
    )

    def validate_kind(self, value: str) -> str:
        by_label = {str(label): code for code, label in MonitoringDecisionKind.choices}
        value = by_label.get(value.strip(), value.strip())
        if value not in MonitoringDecisionKind.values:
            raise serializers.ValidationError(KIND_MESSAGE)
        return value


class MonitoringFilter(filters.FilterSet):
    department = filters.NumberFilter(field_name="declaration__project__department_id", min_value=1, max_value=ID_MAX)
    department_code = filters.CharFilter(field_name="declaration__project__department__code")
    state = filters.ChoiceFilter(field_name="status", choices=DeclarationStatus.choices)

    class Meta:
        model = MonitoringForm
        fields = ["department", "department_code", "year", "state", "end_month", "declaration"]


def _changed(items: list, given: list[dict], unit: str, amounts: bool) -> list:
    by_id = {item.pk: item for item in items}
    if unknown := sorted({g["id"] for g in given} - set(by_id)):
        raise service.MonitoringError(f"id 为 {'、'.join(map(str, unknown))} 的行不属于这张监控表。")
    for values in given:
        item = by_id[values["id"]]
        for name, value in values.items():
            if name != "id":
                setattr(item, name, to_yuan(value, unit) if amounts else value)
    return items


class MonitoringViewSet(mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """项目支出绩效目标执行监控表. POST starts one for an approved declaration, PUT changes lines and rows (drafts and
    returned forms); actions move it on and record decisions."""

    filterset_class = MonitoringFilter
    http_method_names = ["get", "post", "put", "head", "options"]

    def get_queryset(self):
        return monitoring_forms_with_lights(MonitoringForm.objects.for_user(self.request.user))

    def list(self, request, *args, **kwargs):
        """A page of forms, each with the lights of its current stored check (made again here when stale)."""
        scoped = MonitoringForm.objects.for_user(request.user).select_related(
            "declaration__project__department", "period"
        )
        queryset = monitoring_board_forms(self.filter_queryset(scoped))
        page = self.paginate_queryset(queryset)
        forms = list(page if page is not None else queryset)
        try:
            checks = current_monitoring_checks(MonitoringForm.objects.filter(pk__in=[f.pk for f in forms]))
        except ChecksPending as exc:
            return Response({"detail": str(exc)}, status=503, headers={"Retry-After": "60"})
        by_form = {check.form_id: check for check in checks}
        for form in forms:
            form.stored_check = by_form[form.pk]
        data = MonitoringListSerializer(forms, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def get_serializer_class(self):
        if self.action == "update":
            return MonitoringWriteSerializer
        if self.action in {"approve", "return_"}:
            return CommentSerializer
        if self.action == "create":
            return MonitoringStartSerializer
        if self.action == "decide":
            return MonitoringDecisionSerializer
        if self.action == "submit":
            return serializers.Serializer
        return MonitoringListSerializer if self.action == "list" else MonitoringDetailSerializer

    def _fresh(self, form) -> Response:
        return Response(MonitoringDetailSerializer(self.get_queryset().get(pk=form.pk)).data)

    @extend_schema(
        request=MonitoringStartSerializer, responses={200: MonitoringDetailSerializer, 201: MonitoringDetailSerializer}
    )
    def create(self, request, *args, **kwargs):
        """Start the monitoring form of an approved declaration of the user's department for the current period (or
        ``period``) through the page's service: 201 with the detail; 200 with it when the form exists already."""
        given = MonitoringStartSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        declaration = get_object_or_404(ProjectDeclaration.objects.for_user(request.user), pk=data["declaration"])
        period = None
        if "period" in data:
            period = MonitoringPeriod.objects.filter(pk=data["period"]).first()
            if period is None:
                raise service.MonitoringError("监控期间不正确。")
        before = set(MonitoringForm.objects.filter(declaration=declaration).values_list("pk", flat=True))
        form = service.monitoring_start(declaration=declaration, user=request.user, period=period)
        detail = MonitoringDetailSerializer(self.get_queryset().get(pk=form.pk)).data
        return Response(detail, status=200 if form.pk in before else 201)

    @extend_schema(request=MonitoringDecisionSerializer, responses={201: MonitoringDetailSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Record a decision (the head of the department, or an administrator for the finance bureau), as on the
        page; 调整绩效目标 also opens the declaration's adjustment request."""
        form = self.get_object()
        given = MonitoringDecisionSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        service.monitoring_decide(
            form=form, user=request.user, kind=data["kind"], reason=data["reason"], respond_by=data["respond_by"]
        )
        return Response(MonitoringDetailSerializer(self.get_queryset().get(pk=form.pk)).data, status=201)

    @extend_schema(request=MonitoringWriteSerializer, responses=MonitoringDetailSerializer)
    def update(self, request, *args, **kwargs):
        form = self.get_object()
        given = MonitoringWriteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        service.monitoring_save(
            form=form, user=request.user, version=data["version"],
            spending_plan=data.get("spending_plan", form.spending_plan),
            budget_lines=_changed(list(form.budget_lines.all()), data.get("budget", []), form.unit, amounts=True),
            rows=_changed(list(form.rows.all()), data.get("rows", []), form.unit, amounts=False),
            channel="由接口写入",
        )  # fmt: skip
        return self._fresh(form)

    @extend_schema(request=None, responses=MonitoringDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        form = self.get_object()
        service.monitoring_submit(form=form, user=request.user)
        return self._fresh(form)

    def _review(self, request, approve: bool):
        form = self.get_object()
        comment = CommentSerializer(data=request.data)
        comment.is_valid(raise_exception=True)
        service.monitoring_review(
            form=form, user=request.user, approve=approve, comment=comment.validated_data["comment"]
        )
        return self._fresh(form)

    @extend_schema(request=CommentSerializer, responses=MonitoringDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._review(request, approve=True)

    @extend_schema(request=CommentSerializer, responses=MonitoringDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        return self._review(request, approve=False)
