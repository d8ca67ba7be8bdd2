"""The REST API under /api/: one router, the schema and docs, and one mapping of domain errors to responses.

The API calls the same selectors and services as the pages: the same department scope (``for_user``),
the same validation and the same sign-off lock. Errors come back as ``{"detail": "中文说明"}``.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework import status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import NotAuthenticated
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import exception_handler as drf_exception_handler

from indicators.services.text import join_sentences
from projects import api as projects_api
from projects import api_monitoring
from projects.locking import FormLocked
from projects.money import MoneyError
from projects.services.monitoring import MonitoringError, StaleMonitoring
from projects.services.workflow import WorkflowError
from projects.services.writing import StaleDeclaration, serialize_changes
from projects.services.xlsx import SheetError
from selfeval import api as selfeval_api
from selfeval import api_report
from selfeval.locking import EvaluationLocked
from selfeval.services.filling import UnknownPart
from selfeval.services.signoff import SignoffError, SubmitBlocked
from selfeval.services.start import StartError

from .client_ip import client_ip
from .tokens import current_token, expires_at, revoke_tokens


def exception_handler(exc, context):
    """Domain errors as 400/403/409 with their Chinese message; everything else as DRF does it."""
    if isinstance(exc, SubmitBlocked):
        findings = [{"code": f.code, "field": f.field, "message": f.message} for f in exc.findings]
        return Response({"detail": "有阻止提交的检查结果。", "findings": findings}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, StaleDeclaration):
        body = {"detail": exc.problems[0], "version": exc.current.updated_at.isoformat()}
        return Response({**body, "changes": serialize_changes(exc.changes)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, StaleMonitoring):
        return Response({"detail": str(exc), "version": exc.current.version}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, SheetError):
        return Response({"detail": join_sentences(exc.problems)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, WorkflowError | SignoffError | StartError | UnknownPart | MoneyError | MonitoringError):
        return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, EvaluationLocked):
        return Response({"detail": f"{exc} 已签署锁定，不能修改。"}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, FormLocked):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, Http404):  # DRF's own message names the model in English
        return Response({"detail": "没有找到，或不在你的权限范围内。"}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, DjangoPermissionDenied):
        return Response({"detail": str(exc) or "没有权限。"}, status=status.HTTP_403_FORBIDDEN)
    return drf_exception_handler(exc, context)


class TokenThrottle(AnonRateThrottle):
    """Counts per client as the trusted proxy reports it; a client's own X-Forwarded-For changes nothing."""

    scope = "token"

    def get_ident(self, request):
        return client_ip(request)


class ObtainToken(ObtainAuthToken):
    """POST username and password, get the token for ``Authorization: Token …`` and when it expires (throttled);
    DELETE (authenticated) revokes one's token."""

    throttle_classes = [TokenThrottle]

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token = current_token(serializer.validated_data["user"])
        return Response({"token": token.key, "expires": expires_at(token).isoformat()})

    def delete(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            raise NotAuthenticated("请先登录或提供令牌。")
        revoke_tokens(request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


router = DefaultRouter()
router.register("departments", projects_api.DepartmentViewSet, basename="department")
router.register("projects", projects_api.ProjectViewSet, basename="project")
router.register("declarations", projects_api.DeclarationViewSet, basename="declaration")
router.register("department-declarations", projects_api.DepartmentDeclarationViewSet, basename="department-declaration")
router.register("monitoring-forms", api_monitoring.MonitoringViewSet, basename="monitoring")
router.register("evaluations", selfeval_api.EvaluationViewSet, basename="evaluation")

urlpatterns = [
    path("", include(router.urls)),
    path("score-report/", api_report.ScoreReportView.as_view(), name="score-report"),
    path("score-report/download/", api_report.ScoreReportDownloadView.as_view(), name="score-report-download"),
    path("token/", ObtainToken.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # the split view serves Swagger UI's start-up script as a file: the CSP allows no inline script
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
]
