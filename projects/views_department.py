"""Pages of the 部门整体支出绩效目标申报表 (docs/domain.md §2.2)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from projects.services.findings import department_declaration_findings
from projects.services.review.data import department_declaration_review, department_declaration_review_findings
from projects.services.review.page import place_on_formsets

from . import selectors
from .access import declaration_rights
from .forms import DepartmentDeclarationForm, department_formsets
from .forms.declaration import kept_forms
from .history import declaration_changes
from .limits import row_cap_problem
from .models import DepartmentDeclaration
from .sheets import department_sheet
from .views import run_declaration_action


def _declaration(user, pk: int) -> DepartmentDeclaration:
    if not DepartmentDeclaration.objects.for_user(user).filter(pk=pk).exists():
        raise Http404("没有找到这张申报表。")
    return selectors.department_declaration_page(pk)


@login_required
def department_declaration_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Every saved version of the 部门整体 declaration and its lines, and its review steps."""
    declaration = _declaration(request.user, pk)
    context = {"declaration": declaration, "entries": declaration_changes(declaration)}
    back = reverse("projects:department_declaration", args=[pk])
    return render(request, "projects/declaration_history.html", context | {"back": back})


@login_required
def department_declaration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = _declaration(request.user, pk)
    user = request.user
    review_findings, review_grade, review_draft = department_declaration_review(declaration)
    return render(
        request,
        "projects/department_detail.html",
        {
            **department_sheet(declaration),
            "declaration": declaration,
            "findings": department_declaration_findings(declaration),
            "review_findings": review_findings,
            "review_grade": review_grade,
            "review_draft": review_draft,
            "rights": (rights := declaration_rights(user, declaration)),
            "evaluation": (evaluation := _overall_evaluation(declaration)),
            "can_start_evaluation": evaluation is None and rights.start_evaluation,
            "returned": selectors.returned_event(declaration),
        },
    )


def _overall_evaluation(declaration):
    # Through the department's reverse relation: the self-evaluations live in the app above this one.
    return declaration.department.self_evaluations.filter(kind="department", year=declaration.year).first()


@login_required
def department_declaration_edit(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = _declaration(request.user, pk)
    if not declaration_rights(request.user, declaration).edit:
        raise PermissionDenied("这张申报表现在不能由你修改。")
    form = DepartmentDeclarationForm(request.POST or None, instance=declaration)
    formsets = department_formsets(declaration, request.POST or None)
    if request.method == "POST":
        valid = form.is_valid() & all([fs.is_valid() for fs in formsets.values()])
        too_many = valid and row_cap_problem(sum(len(kept_forms(fs)) for fs in formsets.values()))
        if not valid:
            messages.error(request, "有内容需要更正，请查看标红的栏目；本次没有保存任何内容。")
        elif too_many:
            messages.error(request, too_many)
        else:
            with transaction.atomic():
                current = DepartmentDeclaration.objects.select_for_update().get(pk=pk)
                if form.cleaned_data.get("version") != current.updated_at.isoformat():
                    messages.error(
                        request,
                        f"这张申报表已在 {timezone.localtime(current.updated_at):%Y-%m-%d %H:%M} 被他人修改。本次没有保存，请刷新后重新填写。",
                    )
                else:
                    saved = form.save()
                    for formset in formsets.values():
                        formset.instance = saved
                        formset.save()
                    messages.success(request, "已保存。")
                    return redirect("projects:department_declaration", pk=pk)
    review_findings = department_declaration_review_findings(declaration)
    return render(
        request,
        "projects/department_form.html",
        {
            "declaration": declaration,
            "form": form,
            "formsets": formsets,
            "returned": selectors.returned_event(declaration),
            "review_findings": review_findings,
            "review_blocks": place_on_formsets(review_findings, formsets),
        },
    )


@login_required
@require_POST
def department_declaration_action(request: HttpRequest, pk: int) -> HttpResponse:
    run_declaration_action(request, _declaration(request.user, pk))
    return redirect("projects:department_declaration", pk=pk)
