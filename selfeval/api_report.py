"""API of the score report: pages of it (the forms of the page read and checked only), and the whole of it as a
streamed download for the province (written batch by batch, never held whole)."""

import json

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from projects.services.checks import ChecksPending
from projects.years import YEAR_MESSAGE, is_valid_year

from .services.report import KINDS, ReportPages, report_batches, report_sources

ReportLineSerializer = inline_serializer(
    "ReportLine",
    many=True,
    fields=
    {
        "form": serializers.CharField(), "department": serializers.CharField(), "year": serializers.IntegerField(),
        "kind": serializers.CharField(), "scheme": serializers.CharField(allow_null=True),
        "printed_total": serializers.CharField(allow_null=True), "computed_total": serializers.CharField(allow_null=True),
        "grade": serializers.CharField(allow_null=True), "findings": serializers.ListField(child=serializers.DictField()),
    },
)  # fmt: skip
ReportPageSerializer = inline_serializer(
    "ReportPage",
    fields={
        "count": serializers.IntegerField(),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": ReportLineSerializer,
    },
)
SCOPE_PARAMETERS = [
    OpenApiParameter("year", OpenApiTypes.INT, required=False),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=list(KINDS), required=False),
]


class ReportPagination(PageNumberPagination):
    page_size = 200
    page_size_query_param = "page_size"
    max_page_size = 1000


class BadScope(ValueError):
    """A ``year`` or ``kind`` the report cannot take; the message is for the user."""


def report_scope(request) -> dict:
    """The report's scope from the query: ``year`` and ``kind`` checked, the user's own scope always."""
    year = request.query_params.get("year")
    kind = request.query_params.get("kind", "all")
    if kind not in KINDS:
        raise BadScope(f"kind 应为 {' / '.join(KINDS)}。")
    try:
        year = int(year) if year not in (None, "") else None
    except ValueError:
        raise BadScope("year 应为年度数字。") from None
    if year is not None and not is_valid_year(year):
        raise BadScope(YEAR_MESSAGE)
    return {"year": year, "kind": kind, "user": request.user}


class ScoreReportView(APIView):
    """The score report (as ``manage.py score_report --format json``), in the user's scope, a page at a time
    (``page``, ``page_size`` up to 1000); the whole of it is ``score-report/download/``."""

    @extend_schema(
        parameters=[
            *SCOPE_PARAMETERS,
            OpenApiParameter("page", OpenApiTypes.INT, required=False),
            OpenApiParameter("page_size", OpenApiTypes.INT, required=False),
        ],
        responses=ReportPageSerializer,
    )
    def get(self, request):
        paginator = ReportPagination()
        try:
            page = paginator.paginate_queryset(ReportPages(report_sources(**report_scope(request))), request, self)
        except BadScope as exc:
            return Response({"detail": str(exc)}, status=400)
        except ChecksPending as exc:
            return Response({"detail": str(exc)}, status=503, headers={"Retry-After": "60"})
        return paginator.get_paginated_response([line.as_dict() for line in page])


class ScoreReportDownloadView(APIView):
    """The whole score report in the user's scope as one JSON list, streamed as its batches are made (the stale
    checks among them made on the way, not refused)."""

    @extend_schema(parameters=SCOPE_PARAMETERS, responses=ReportLineSerializer)
    def get(self, request):
        try:
            sources = report_sources(**report_scope(request), wait=True)
        except BadScope as exc:
            return Response({"detail": str(exc)}, status=400)
        response = StreamingHttpResponse(_json_list(report_batches(sources)), content_type="application/json")
        response["Content-Disposition"] = 'attachment; filename="score-report.json"'
        return response


def _json_list(batches):
    yield "["
    first = True
    for lines in batches:
        for line in lines:
            yield ("" if first else ",\n") + json.dumps(line.as_dict(), ensure_ascii=False)
            first = False
    yield "]\n"
