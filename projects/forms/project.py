"""The 项目入库 page: a project's code, name, type and period, entered by its department's finance staff."""

import re

from django import forms

from ..choices import ProjectType
from ..models import Project

KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,58}[a-z0-9]$")
KEY_HINT = (
    "小写英文字母、数字和连字符（-），3–60 个字符，如 dxh2021-rczx 或 420112-zzb-2026-001；入库后各年度的表都用它。"
)
YEAR_MIN, YEAR_MAX = 2000, 2100
TYPES = [(value, label) for value, label in ProjectType.choices if value != ProjectType.UNKNOWN]


class ProjectForm(forms.ModelForm):
    """Create or edit a project; the department is one the user may enter projects for."""

    class Meta:
        model = Project
        fields = ["department", "key", "name", "project_type", "period_start", "period_end"]
        labels = {"period_start": "项目期起始年度", "period_end": "项目期终止年度"}
        help_texts = {
            "key": KEY_HINT,
            "period_end": "常年性项目可不填；一次性项目起止为同一年度。",
        }
        error_messages = {
            "key": {"unique": "项目编码已被其他项目使用，请换一个（可用建议的编码）。", "required": "请填写项目编码。"},
            "name": {"required": "请填写项目名称。"},
            "department": {"required": "请选择所属部门。", "invalid_choice": "只能为你所在的部门录入项目。"},
            "project_type": {"required": "请选择项目类型。", "invalid_choice": "请选择列出的项目类型。"},
            "period_start": {"invalid": "起始年度须是四位数的年份。"},
            "period_end": {"invalid": "终止年度须是四位数的年份。"},
        }

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].validators = []  # clean_key checks the format, with the hint in the message
        self.fields["department"].queryset = departments
        self.fields["department"].empty_label = None
        self.fields["project_type"].choices = TYPES
        self.fields["period_start"].required = True
        self.fields["period_start"].error_messages["required"] = "请填写项目期起始年度。"
        self.fields["name"].widget = forms.Textarea(attrs={"rows": 2})

    def clean_key(self) -> str:
        key = (self.cleaned_data.get("key") or "").strip()
        if not KEY_PATTERN.match(key):
            raise forms.ValidationError("项目编码格式不对：" + KEY_HINT)
        return key

    def clean_name(self) -> str:
        name = (self.cleaned_data.get("name") or "").strip()
        if not name:
            raise forms.ValidationError("请填写项目名称。")
        return name

    def clean(self):
        data = super().clean()
        start, end, kind = data.get("period_start"), data.get("period_end"), data.get("project_type")
        for field, year in (("period_start", start), ("period_end", end)):
            if year is not None and not YEAR_MIN <= year <= YEAR_MAX:
                self.add_error(field, f"年度须在 {YEAR_MIN}–{YEAR_MAX} 之间。")
        if start is not None and end is not None and start > end:
            self.add_error("period_end", "终止年度不能早于起始年度。")
        if end is None and kind and kind != ProjectType.RECURRING and "period_end" not in self.errors:
            self.add_error("period_end", "除常年性项目外，请填写项目期终止年度。")
        if kind == ProjectType.ONE_OFF and start is not None and end is not None and start != end:
            self.add_error("period_end", "一次性项目的起止年度应为同一年度。")
        return data
