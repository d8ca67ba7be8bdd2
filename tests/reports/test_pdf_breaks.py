"""The print stylesheet's keep-together rules lay a long table out the first time (issue 17: a failed layout
was half of a 60-row declaration's render)."""

import subprocess

import pytest
from weasyprint import CSS, HTML

from reports.services import pdf as pdf_service

pytestmark = pytest.mark.django_db

NOT_SPLIT = "table.sheet tbody:nth-last-of-type(2) { break-inside: avoid !important; }"


def tall_rows(name: str, count: int, height: int) -> str:
    return "".join(f'<tr><td>{name}{i}</td><td><div style="height:{height}pt"></div></td></tr>' for i in range(count))


def page_texts(data: bytes) -> list[str]:
    text = subprocess.run(["pdftotext", "-raw", "-", "-"], input=data, capture_output=True, check=True).stdout
    return ["".join(page.decode().split()) for page in text.split(b"\f") if page.strip()]


# A4 less the margins leaves about 740 pt: the first group fills page 1; the second (the group above the closing
# part) starts page 2 and fills most of it, so that it cannot share a page with the closing group.
TABLE = (
    '<html><body><table class="sheet indicators"><thead><tr><th>指标</th><th>内容</th></tr></thead>'
    '<tbody class="lead"><tr><td colspan="2"></td></tr></tbody>'
    f'<tbody class="group">{tall_rows("甲组", 6, 100)}</tbody>'
    f'<tbody class="group">{tall_rows("乙组", 6, 95)}</tbody>'
    f'<tbody class="group end">{tall_rows("末组", 1, 150)}</tbody>'
    "</table></body></html>"
)


def test_the_group_above_the_closing_part_lets_its_last_rows_go_along_in_one_layout(monkeypatch):
    css, fonts = pdf_service._stylesheet_and_fonts()
    with pytest.raises(AssertionError):  # the layout WeasyPrint cannot make when that group is kept whole
        HTML(string=TABLE).render(stylesheets=[css, CSS(string=NOT_SPLIT, font_config=fonts)], font_config=fonts)

    calls = []
    write_pdf = HTML.write_pdf

    def counted(self, *args, **kwargs):
        calls.append(1)
        return write_pdf(self, *args, **kwargs)

    monkeypatch.setattr(HTML, "write_pdf", counted)
    pages = page_texts(pdf_service.render_pdf(TABLE))
    assert calls == [1], "laid out again"
    assert all(f"甲组{i}" in pages[0] for i in range(6))  # the other groups are still kept whole
    last = pages[-1]
    assert "末组0" in last and "乙组5" in last and "乙组0" not in last  # the closing group is not alone
