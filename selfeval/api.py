"""API of self-evaluations and the score report: the page's selector, fill service, sign-off services and lock."""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from indicators.params import ID_MAX, param_id
from indicators.services.values import format_rate
from projects.api import CommentSerializer, StrictSerializer
from projects.models import DepartmentDeclaration, ProjectDeclaration
from projects.money import format_amount
from projects.page_cache import cached_parts
from projects.services.checks import ChecksPending
from selfeval.services.adapters import form_input

from .choices import EvaluationStatus
from .models import SelfEvaluation
from .selectors import evaluation_head, evaluation_with_rows
from .services import engine
from .services.checks import refresh_one, with_current_checks
from .services.filling import EvaluationChanges, evaluation_update, stale_message
from .services.findings import evaluation_findings
from .services.page import body_stamp
from .services.printed import HEADER, PrintedFigures, PrintedFiguresRefused, evaluation_enter_printed
from .services.signoff import (
    evaluation_digest,
    evaluation_reopen,
    evaluation_return,
    evaluation_sign,
    evaluation_submit,
    evaluation_withdraw,
)
from .services.start import WeightsDoNotFit, department_evaluation_start, evaluation_start


def num(value) -> str | None:
    return None if value is None else str(value)


class EvaluationListSerializer(serializers.ModelSerializer):
    """A form of a list, with its computed figures as its stored check holds them (``with_current_checks``)."""

    computed_total = serializers.SerializerMethodField()
    computed_grade = serializers.SerializerMethodField()
    department_code = serializers.CharField(source="department.code", read_only=True)
    project_key = serializers.CharField(source="project.key", read_only=True, default=None, allow_null=True)
    project_name = serializers.CharField(source="project.name", read_only=True, default=None, allow_null=True)
    scheme = serializers.CharField(source="scheme.code", read_only=True)

    def get_computed_total(self, e) -> str | None:
        figures = getattr(e, "figures", None)
        return num(figures.computed_total) if figures else None

    def get_computed_grade(self, e) -> str:
        figures = getattr(e, "figures", None)
        return figures.grade if figures else ""

    class Meta:
        model = SelfEvaluation
        fields = [
            "id", "kind", "department", "department_code", "project", "project_key", "project_name", "year", "unit",
            "layout", "scheme", "status", "printed_total", "computed_total", "computed_grade", "signed_at", "updated_at",
        ]  # fmt: skip


class EvaluationDetailSerializer(EvaluationListSerializer):
    version = serializers.SerializerMethodField(help_text="更新时须原样送回，用于发现他人的并发修改")
    digest = serializers.SerializerMethodField(help_text="表现在内容的摘要：签署时送回，表已变动则不签署")
    funding = serializers.SerializerMethodField()
    sections = serializers.SerializerMethodField()
    goals = serializers.SerializerMethodField()
    rows = serializers.SerializerMethodField()
    result = serializers.SerializerMethodField()
    findings = serializers.SerializerMethodField()

    class Meta(EvaluationListSerializer.Meta):
        fields = EvaluationListSerializer.Meta.fields + [
            "version", "digest", "eval_date_printed", "fill_unit", "supervising_unit", "executing_unit", "filler", "phone",
            "goal_target", "goal_actual", "problems", "improvement", "printed_grade", "printed_budget_rate",
            "printed_budget_score",
            "signed_by", "signed_digest", "funding", "sections", "goals", "rows", "result", "findings",
        ]  # fmt: skip

    def get_computed_total(self, e) -> str | None:
        return num(self._figures(e).computed_total)

    def get_computed_grade(self, e) -> str:
        return self._figures(e).grade

    def _figures(self, e):
        """The form's current stored check: the figures the lists, the pages and the PDF show."""
        if getattr(e, "figures", None) is None:
            e.figures = refresh_one(e)
        return e.figures

    def _result(self, e):
        """The engine's proposal for each row (with its explanation), which the stored check does not hold."""
        if not hasattr(e, "_api_result"):
            e._api_result = engine.score_form(form_input(e))
        return e._api_result

    def get_version(self, e) -> str:
        return e.updated_at.isoformat()

    def get_digest(self, e) -> str:
        return evaluation_digest(e)

    def get_funding(self, e) -> list[dict]:
        return [
            {"id": f.pk, "name": f.name, "is_total": f.is_total, **{
                name: format_amount(getattr(f, name), e.unit) for name in ("budget_initial", "budget", "received", "executed")
            }, "rate_printed": f.rate_printed, "score_printed": num(f.score_printed)}
            for f in e.funding_rows.all()
        ]  # fmt: skip

    def get_sections(self, e) -> list[dict]:
        figures = self._figures(e)
        return [
            {"id": s.pk, "code": s.code, "name": s.name, "points": num(s.points), "printed_score": num(s.printed_score),
             "score_final": num(s.score_final), "computed_score": num(figures.section_score(s.code))}
            for s in e.sections.all()
        ]  # fmt: skip

    def get_goals(self, e) -> list[dict]:
        return [{"id": g.pk, "seq": g.seq, "title": g.title, "points": num(g.points)} for g in e.goals.all()]

    def get_rows(self, e) -> list[dict]:
        proposals = self._result(e).proposals
        out = []
        for r in e.rows.all():
            p = proposals.get(r.pk)
            out.append({
                "id": r.pk, "seq": r.seq, "goal": r.goal_id, "level1": r.level1_printed or (r.level1.name if r.level1_id else ""),
                "level2": r.level2_printed or (r.level2.name if r.level2_id else ""), "name": r.name, "target": r.target,
                "nature": r.nature, "comparator": r.comparator, "unit": r.unit, "actual": r.actual, "reason": r.reason, "weight": num(r.weight), "band": r.band,
                "score_printed": num(r.score_printed), "score_proposed": num(p.score if p else None),
                "score_final": num(r.score_final), "score_reason": r.score_reason,
                "met": p.met if p else None, "explanation": p.explanation if p else "",
            })  # fmt: skip
        return out

    def get_result(self, e) -> dict:
        result = self._figures(e)
        return {
            "budget_rate": format_rate(result.budget_rate), "budget_score": num(result.budget_score),
            "total": num(result.total), "grade": result.grade,
        }  # fmt: skip

    def get_findings(self, e) -> list[dict]:
        return [f.as_dict() for f in evaluation_findings(e)]


# Bump when EvaluationDetailSerializer's output changes: a cache shared by the old and the new processes (Redis) then
# never serves a detail made by the code before it.
DETAIL_VERSION = 1


def _own_values(evaluation: SelfEvaluation) -> tuple:
    """The form's own columns as loaded: the detail prints them, and a write that does not move ``updated_at``
    (a queryset update) still changes the stamp."""
    return tuple(getattr(evaluation, f.attname) for f in SelfEvaluation._meta.concrete_fields)


def detail_stamp(head: SelfEvaluation) -> tuple | None:
    """What the API's detail of a form read by ``evaluation_head`` is made from: its page's stamp (last change,
    stored check, monitoring record, reference data; ``services.page.body_stamp``) and the form's own columns;
    None while its stored check is not current (the detail is then made, and the check with it, without the cache)."""
    stamp = body_stamp(head)
    return None if stamp is None else (DETAIL_VERSION, _own_values(head), *stamp)


def _made_from(evaluation: SelfEvaluation, check) -> tuple:
    """Which version of the form a detail is made from: its own columns, its monitoring record's and the reference
    data's versions, and its stored ``check``."""
    return (_own_values(evaluation), evaluation.monitoring_changed, evaluation.reference_version,
            check and check.pk, check and check.checked_at)  # fmt: skip


def kept_detail(head: SelfEvaluation, loaded: SelfEvaluation | None = None) -> dict:
    """The API's detail of the form ``head`` (read by ``evaluation_head``, in the reader's scope: checked before
    this), made once per version of the form and kept in the cache (``projects.page_cache``), as its page's body is.
    What is kept is the same for every reader (the serializer reads nothing of the request). ``loaded``: the form
    as a save just stored it (``evaluation_with_rows`` under its lock, after the writes), made into the detail
    when it is the version ``head`` names, else the form is read again."""
    stamp = detail_stamp(head)
    named = _made_from(head, head.check_result if stamp is not None else None)

    def made(evaluation: SelfEvaluation) -> tuple[dict, bool]:
        return EvaluationDetailSerializer(evaluation).data, _made_from(evaluation, evaluation.figures) == named

    def render() -> tuple[dict, bool]:
        if loaded is not None:
            data, current = made(loaded)
            if current:  # nothing changed since the save: the detail a new read would make
                return {"data": data}, stamp is not None
        data, current = made(evaluation_with_rows(head.pk))
        # Kept only when made from what the stamp names (not from a change committed in between).
        return {"data": data}, stamp is not None and current

    return cached_parts("evaluation-api", head.pk, stamp, render)["data"]


class RowIn(StrictSerializer):
    id = serializers.IntegerField()
    actual = serializers.CharField(max_length=300, allow_blank=True, required=False)
    reason = serializers.CharField(allow_blank=True, required=False, max_length=5000)
    weight = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True, required=False)
    band = serializers.CharField(max_length=10, allow_blank=True, required=False)
    score_final = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True, required=False)
    score_reason = serializers.CharField(allow_blank=True, required=False, max_length=5000)


class EvaluationFundingIn(StrictSerializer):
    id = serializers.IntegerField()
    budget_initial = serializers.DecimalField(max_digits=20, decimal_places=6, allow_null=True, required=False)
    budget = serializers.DecimalField(max_digits=20, decimal_places=6, allow_null=True, required=False)
    received = serializers.DecimalField(max_digits=20, decimal_places=6, allow_null=True, required=False)
    executed = serializers.DecimalField(max_digits=20, decimal_places=6, allow_null=True, required=False)


class SectionIn(StrictSerializer):
    id = serializers.IntegerField()
    points = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True, required=False)
    score_final = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True, required=False)


class EvaluationFillSerializer(StrictSerializer):
    """A partial update, as the page fills it: what is not sent stays as it is. Amounts in the form's unit."""

    version = serializers.CharField(help_text="读取时得到的 version")
    eval_date_printed = serializers.CharField(max_length=40, allow_blank=True, required=False)
    filler = serializers.CharField(max_length=60, allow_blank=True, required=False)
    phone = serializers.CharField(max_length=60, allow_blank=True, required=False)
    goal_target = serializers.CharField(allow_blank=True, required=False, max_length=20000)
    goal_actual = serializers.CharField(allow_blank=True, required=False, max_length=20000)
    problems = serializers.CharField(allow_blank=True, required=False, max_length=20000)
    improvement = serializers.CharField(allow_blank=True, required=False, max_length=20000)
    funding = EvaluationFundingIn(many=True, required=False, max_length=settings.MAX_FORM_ROWS)
    sections = SectionIn(many=True, required=False, max_length=settings.MAX_FORM_ROWS)
    rows = RowIn(many=True, required=False, max_length=settings.MAX_FORM_ROWS)


def _printed(**kwargs):
    return serializers.CharField(allow_blank=True, allow_null=True, required=False, max_length=40, **kwargs)


class PrintedFundingIn(StrictSerializer):
    id = serializers.IntegerField()
    rate_printed = _printed(help_text="执行率，如 99.9% 或 99.9（执行率(%) 列）")
    score_printed = _printed(help_text="得分")


class PrintedSectionIn(StrictSerializer):
    id = serializers.IntegerField()
    printed_score = _printed(help_text="分项得分")


class PrintedRowIn(StrictSerializer):
    id = serializers.IntegerField()
    score_printed = _printed(help_text="自评分")


class PrintedFiguresSerializer(StrictSerializer):
    """The figures a form from outside prints, entered as printed: all or nothing; "" or null clears a figure."""

    printed_total = _printed(help_text="自评得分（总分）")
    printed_grade = _printed(help_text="自评等次")
    printed_budget_rate = _printed(help_text="预算执行率")
    printed_budget_score = _printed(help_text="预算执行得分")
    funding = PrintedFundingIn(many=True, required=False, max_length=100)
    sections = PrintedSectionIn(many=True, required=False, max_length=100)
    rows = PrintedRowIn(many=True, required=False, max_length=1000)


class EvaluationStartSerializer(StrictSerializer):
    """Start a self-evaluation from an approved declaration (as the page's 开始自评 does)."""

    declaration = serializers.IntegerField(required=False, min_value=1, max_value=ID_MAX, help_text="项目申报表的 id")
    department_declaration = serializers.IntegerField(
        required=False, min_value=1, max_value=ID_MAX, help_text="部门整体申报表的 id"
    )
    rescale = serializers.BooleanField(
        default=False, help_text="申报表分值超出评分方案的分项时，按比例调整（先不带此项请求，查看返回的调整方案）"
    )

    def validate(self, attrs):
        if ("declaration" in attrs) == ("department_declaration" in attrs):
            raise serializers.ValidationError("请给出 declaration（项目申报表）或 department_declaration 之一。")
        return attrs


class RescaledRowSerializer(serializers.Serializer):
    label = serializers.CharField()
    old = serializers.DecimalField(max_digits=8, decimal_places=2)
    new = serializers.DecimalField(max_digits=8, decimal_places=2)


class SectionPlanSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    points = serializers.DecimalField(max_digits=8, decimal_places=2)
    total = serializers.DecimalField(max_digits=8, decimal_places=2)
    rows = RescaledRowSerializer(many=True)


class ReasonSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=2000)


class SignSerializer(CommentSerializer):
    digest = serializers.CharField(
        max_length=64, required=False, help_text="签署人核对时表的摘要（详情的 digest）：表已变动则不签署。"
    )


class EvaluationFilter(filters.FilterSet):
    department_code = filters.CharFilter(field_name="department__code")
    state = filters.ChoiceFilter(field_name="status", choices=EvaluationStatus.choices)

    class Meta:
        model = SelfEvaluation
        fields = ["department", "department_code", "year", "state", "kind", "project", "layout"]


class EvaluationViewSet(viewsets.ReadOnlyModelViewSet):
    """绩效自评表. POST starts one from an approved declaration, PATCH fills a draft (the page's forms and checks);
    submit, sign and reopen as on the page."""

    filterset_class = EvaluationFilter

    def list(self, request, *args, **kwargs):
        """A page of forms, each with its current stored check (made again here when stale)."""
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        try:
            forms = with_current_checks(page if page is not None else queryset)
        except ChecksPending as exc:
            return Response({"detail": str(exc)}, status=503, headers={"Retry-After": "60"})
        data = EvaluationListSerializer(forms, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def get_queryset(self):
        return (
            SelfEvaluation.objects.for_user(self.request.user)
            .select_related("department", "project", "scheme")
            .order_by("-year", "department__code", "kind", "project__key")
        )

    def get_serializer_class(self):
        return EvaluationListSerializer if self.action == "list" else EvaluationDetailSerializer

    @extend_schema(
        request=EvaluationStartSerializer,
        responses={
            201: EvaluationDetailSerializer,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description='不能开始：{"detail": 说明}；分值超出分项时另有 plan（按比例调整的方案，各分项的 '
                "code、name、points、total 和各行的 label、old、new）；栏目有误时为各栏目的说明。",
            ),
        },
    )
    def create(self, request):
        """Start a draft self-evaluation from an approved declaration of the user's department, through the
        page's service: 201 with the detail. When the declaration's weights exceed a section of its scheme, 400
        with the proportional rescale (``plan``); send ``"rescale": true`` to start with it."""
        payload = EvaluationStartSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            if "declaration" in data:
                declaration = get_object_or_404(
                    ProjectDeclaration.objects.for_user(request.user), pk=data["declaration"]
                )
                evaluation = evaluation_start(declaration=declaration, user=request.user, rescale=data["rescale"])
            else:
                declaration = get_object_or_404(
                    DepartmentDeclaration.objects.for_user(request.user), pk=data["department_declaration"]
                )
                evaluation = department_evaluation_start(declaration=declaration, user=request.user)
        except WeightsDoNotFit as exc:
            plan = SectionPlanSerializer(exc.plan, many=True).data
            return Response({"detail": str(exc), "plan": plan}, status=status.HTTP_400_BAD_REQUEST)
        return Response(EvaluationDetailSerializer(evaluation_with_rows(evaluation.pk)).data, status=201)

    def retrieve(self, request, *args, **kwargs):
        """The detail of a form in the user's scope (404 otherwise, before the cache is looked at), kept per version
        of the form (``kept_detail``)."""
        pk = param_id(kwargs.get("pk"))
        if pk is None or request.query_params:  # junk ids and filters in the query: DRF's way, as before
            return super().retrieve(request, *args, **kwargs)
        try:
            head = evaluation_head(pk, user=request.user)
        except SelfEvaluation.DoesNotExist:
            return super().retrieve(request, *args, **kwargs)  # the same 404 as before
        self.check_object_permissions(request, head)
        return Response(kept_detail(head))

    def get_object(self):
        return evaluation_with_rows(self._scoped_pk())

    def _scoped_pk(self) -> int:
        """The form's id once it is known to be in the user's scope (404 otherwise)."""
        return super().get_object().pk

    def _detail(self, pk, loaded: SelfEvaluation | None = None) -> Response:
        """The form's detail after a change (the user's scope was checked before the change), kept for the next
        read when nothing else changed it meanwhile; ``loaded``: the form as the change stored it."""
        try:
            head = evaluation_head(int(pk), user=self.request.user)
        except SelfEvaluation.DoesNotExist:  # out of the scope now (moved meanwhile): made as before
            return Response(EvaluationDetailSerializer(evaluation_with_rows(pk)).data)
        return Response(kept_detail(head, loaded))

    def _scoped_form(self) -> SelfEvaluation:
        """The form with its parts, read within the user's scope in the same queries (404 outside it, as DRF's
        ``get_object`` answers: filters in the query and junk ids go its way)."""
        pk = param_id(self.kwargs.get("pk"))
        if pk is not None and not self.request.query_params:
            try:
                return evaluation_with_rows(pk, user=self.request.user)
            except SelfEvaluation.DoesNotExist:
                pass
        return self.get_object()

    @extend_schema(request=EvaluationFillSerializer, responses=EvaluationDetailSerializer)
    def partial_update(self, request, pk=None):
        evaluation = self._scoped_form()  # 404 outside the scope before anything else
        payload = EvaluationFillSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        changes = EvaluationChanges.from_json(payload.validated_data)
        result = evaluation_update(evaluation=evaluation, user=request.user, changes=changes)
        if result.stale:
            changes = [
                {
                    "date": c["date"].isoformat() if c.get("date") else None,
                    "user": str(c["user"]) if c.get("user") else None,
                    "what": str(c.get("what", "")),
                    "changes": [
                        {k: str(v) if v is not None else None for k, v in ch.items()} for ch in c.get("changes", [])
                    ],
                }
                for c in result.conflict
            ]
            return Response(
                {"detail": stale_message(result), "changes": changes, "version": result.updated_at.isoformat()},
                status=status.HTTP_409_CONFLICT,
            )
        if not result.saved:
            return Response({"detail": "有内容需要更正，本次没有保存任何内容。", "errors": result.errors}, status=400)
        return self._detail(evaluation.pk, loaded=result.evaluation)

    @extend_schema(request=PrintedFiguresSerializer, responses=EvaluationDetailSerializer)
    @action(detail=True, methods=["post"])
    def printed(self, request, pk=None):
        """Enter the figures a form from outside prints (finance staff, auditors in scope): all or nothing."""
        evaluation_id = self._scoped_pk()  # 404 outside the scope before anything else
        payload = PrintedFiguresSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        parts = {
            prefix: {item.pop("id"): item for item in (dict(i) for i in data.get(prefix, []))}
            for prefix in ("funding", "sections", "rows")
        }
        header = {name: data[name] for name in HEADER if name in data}
        try:
            evaluation_enter_printed(
                evaluation_id=evaluation_id, user=request.user, figures=PrintedFigures(header=header, **parts)
            )
        except PrintedFiguresRefused as exc:
            return Response({"detail": str(exc), "errors": exc.errors}, status=400)
        return self._detail(evaluation_id)

    @extend_schema(request=None, responses=EvaluationDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        evaluation_submit(evaluation_id=self._scoped_pk(), user=request.user)
        return self._detail(pk)

    @extend_schema(request=SignSerializer, responses=EvaluationDetailSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """The head signs, with an optional comment; with ``digest``, only the form as it was read."""
        evaluation_id = self._scoped_pk()  # 404 outside the scope before anything else
        data = self._valid(SignSerializer, request)
        evaluation_sign(
            evaluation_id=evaluation_id, user=request.user, comment=data["comment"], seen_digest=data.get("digest")
        )
        return self._detail(pk)

    @extend_schema(request=ReasonSerializer, responses=EvaluationDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        """The head returns a submitted form to finance staff with a required comment (``reason``)."""
        evaluation_id = self._scoped_pk()
        data = self._valid(ReasonSerializer, request)
        evaluation_return(evaluation_id=evaluation_id, user=request.user, comment=data["reason"])
        return self._detail(pk)

    @extend_schema(request=CommentSerializer, responses=EvaluationDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Finance staff withdraw a form they submitted, before the head acts."""
        evaluation_id = self._scoped_pk()
        data = self._valid(CommentSerializer, request)
        evaluation_withdraw(evaluation_id=evaluation_id, user=request.user, comment=data["comment"])
        return self._detail(pk)

    @staticmethod
    def _valid(serializer_class, request) -> dict:
        payload = serializer_class(data=request.data)
        payload.is_valid(raise_exception=True)
        return payload.validated_data

    @extend_schema(request=ReasonSerializer, responses=EvaluationDetailSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        evaluation_id = self._scoped_pk()  # 404 outside the scope before anything else
        reason = self._valid(ReasonSerializer, request)["reason"]
        evaluation_reopen(evaluation_id=evaluation_id, user=request.user, reason=reason)
        return self._detail(pk)
