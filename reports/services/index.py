"""The row a form gets in a batch export's 索引.xlsx (kept with a stored PDF, so a ZIP does not read the form)."""

from projects.services.findings import declaration_findings, department_declaration_findings
from selfeval.services.findings import evaluation_findings
from selfeval.sheets import evaluation_sheet, score_text

from .pdf import document_for

INDEX_COLUMNS = [
    "序号", "文件名", "表名", "部门", "项目", "年度", "表样", "评分方案", "状态",
    "表中总分", "系统计算总分", "等次", "一致性检查",
]  # fmt: skip


def index_row(kind: str, form, filename: str) -> dict:
    if kind == "evaluation":
        sheet = evaluation_sheet(form)
        findings = evaluation_findings(form)
        extra = {
            "表样": form.get_layout_display(),
            "评分方案": str(form.scheme),
            "表中总分": score_text(form.printed_total),
            "系统计算总分": sheet["computed_total"],
            "等次": sheet["grade"],
            "项目": form.project.name if form.project_id else "部门整体",
        }
    elif kind == "monitoring":  # its lights are on the PDF; it has no consistency checker of its own
        findings = []
        extra = {"项目": form.declaration.project.name, "表样": str(form.period)}
    elif kind == "declaration":
        findings = declaration_findings(form)
        extra = {"项目": form.project.name}
    else:
        findings = department_declaration_findings(form)
        extra = {"项目": "部门整体"}
    if kind == "declaration":
        department = form.project.department
    elif kind == "monitoring":
        department = form.declaration.project.department
    else:
        department = form.department
    return {
        "文件名": filename,
        "表名": document_for(form).title,
        "部门": department.name,
        "年度": form.year,
        "状态": form.get_status_display(),
        "一致性检查": "；".join(f"{f.field}：{f.message}" for f in findings) or "无",
        **extra,
    }
