"""项目库 pages: a department's projects, entering and editing one, and a project's blank Excel template."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from .access import can_manage_projects
from .forms.profile import ProfileForm
from .forms.project import KEY_HINT, ProjectForm
from .models import Department, Project
from .money import WAN_YUAN
from .services.catalogue import project_save, suggest_key
from .services.profile import profile_update
from .services.xlsx import blank_declaration, export_declaration

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _managed_departments(user):
    """The departments ``user`` may enter projects for (their own and its offices; every one for administrators)."""
    visible = Department.objects.for_user(user).order_by("code")
    return visible.filter(pk__in=[d.pk for d in visible if can_manage_projects(user, d.pk)])


def _project(user, pk: int) -> Project:
    project = Project.objects.for_user(user).select_related("department").filter(pk=pk).first()
    if project is None:
        raise Http404("没有找到这个项目。")
    return project


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    """The 项目库 of the user's departments (every department for auditors, read-only), one department at a time
    when one is picked."""
    departments = Department.objects.for_user(request.user).order_by("code")
    projects = Project.objects.for_user(request.user).select_related("department").order_by("department__code", "key")
    picked = request.GET.get("department") or ""
    if picked.isascii() and picked.isdecimal() and len(picked) < 10:
        projects = projects.filter(department_id=int(picked))
    else:
        picked = ""
    managed = set(_managed_departments(request.user).values_list("pk", flat=True))
    return render(
        request,
        "projects/project_list.html",
        {
            "projects": projects,
            "departments": departments if len(departments) > 1 else [],
            "picked": int(picked) if picked else None,
            "managed": managed,
            "year": timezone.localdate().year + 1,
        },
    )


def _edit(request: HttpRequest, project: Project | None) -> HttpResponse:
    departments = _managed_departments(request.user)
    if not departments.exists():
        raise PermissionDenied("只有本部门的填报人可以录入项目。")
    year = timezone.localdate().year + 1
    default_department = departments.filter(pk=request.user.department_id).first() or departments.first()
    initial = (
        {}
        if project
        else {"department": default_department, "key": suggest_key(default_department, year), "period_start": year}
    )
    form = ProjectForm(request.POST or None, instance=project, initial=initial, departments=departments)
    if request.method == "POST":
        if form.is_valid():
            saved = project_save(user=request.user, project=project, data=form.cleaned_data)
            messages.success(request, f"项目“{saved.name}”已{'保存' if project else '入库'}。")
            return redirect("projects:project_list")
        messages.error(request, "有内容需要更正，请查看标红的栏目；本次没有保存任何内容。")
    return render(
        request,
        "projects/project_form.html",
        {
            "form": form,
            "project": project,
            "key_hint": KEY_HINT,
            "suggested_key": suggest_key(default_department, year) if not project else "",
        },
    )


@login_required
def project_create(request: HttpRequest) -> HttpResponse:
    return _edit(request, None)


@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request.user, pk)
    if not can_manage_projects(request.user, project.department_id):
        raise PermissionDenied("只有本部门的填报人可以修改项目。")
    return _edit(request, project)


@login_required
def project_template(request: HttpRequest, pk: int) -> HttpResponse:
    """A blank 项目绩效目标申报表 template of the project for a year, to fill offline and import back."""
    project = _project(request.user, pk)
    value = request.GET.get("year") or ""
    year = int(value) if value.isascii() and value.isdecimal() and 1990 <= int(value) <= 2200 else None
    if year is None:
        year = timezone.localdate().year + 1
    content = export_declaration(blank_declaration(project, year, WAN_YUAN))
    response = HttpResponse(content, content_type=XLSX)
    filename = f"{year}年{project.name}项目绩效目标申报表（空白）.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    """One's own 姓名, 联系电话 and e-mail: new self-evaluations take them as 填报人 and 联系电话."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST":
        if form.is_valid():
            profile_update(user=request.user, data=form.cleaned_data)
            messages.success(request, "个人信息已保存，新的自评表将以此填写填报人和联系电话。")
            return redirect("projects:profile")
        messages.error(request, "有内容需要更正，请查看标红的栏目；本次没有保存任何内容。")
    return render(request, "projects/profile.html", {"form": form})
