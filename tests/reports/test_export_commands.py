"""`manage.py export_pdfs` for scripted archives, and `pdf_previews` that makes the pictures in docs/pdf/."""

import pytest
from django.core.management import CommandError, call_command

from reports.management.commands.pdf_previews import PREVIEWS

pytestmark = pytest.mark.django_db


def test_export_pdfs_writes_one_pdf_per_form_named_by_department_and_form(tmp_path):
    call_command("export_pdfs", "--year", "2019", "--out", str(tmp_path / "all"))
    files = sorted(p.name for p in (tmp_path / "all").iterdir())
    assert len(files) == 16 and all(f.endswith(".pdf") for f in files)
    assert "420111-zzb_中国共产党武汉市洪山区委组织部_2019_自评表_组织日常运转经费.pdf" in files
    assert sum(f.startswith("130100-zzb_中共石家庄市委组织部_2019_自评表_") for f in files) == 14
    assert all((tmp_path / "all" / f).read_bytes().startswith(b"%PDF") for f in files)

    call_command("export_pdfs", "--year", "2021", "--department", "420112-zzb", "--out", str(tmp_path / "one"))
    names = [p.name for p in (tmp_path / "one").iterdir()]
    assert names and all(n.startswith("420112-zzb_") for n in names)
    assert "420112-zzb_中共东西湖区委组织部_2021_部门整体申报表.pdf" in names


@pytest.mark.parametrize(
    "args, message",
    [(["--year", "2019", "--department", "不存在的部门"], "没有编码或名称"), (["--year", "1999"], "没有表")],
)
def test_export_pdfs_refuses_bad_arguments_in_chinese(tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_pdfs", *args, "--out", str(tmp_path))
    assert not any(tmp_path.iterdir())


def test_the_previews_are_made_from_the_seed_data(tmp_path):
    call_command("pdf_previews", "--out", str(tmp_path), "--dpi", "30")
    made = {p.stem for p in tmp_path.glob("*.png")}
    assert made == set(PREVIEWS)
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in tmp_path.glob("*.png"))


def test_the_readme_shows_a_preview_of_every_layout():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    readme = (root / "README.md").read_text()
    for name in PREVIEWS:
        assert (root / "docs" / "pdf" / f"{name}.png").exists(), name
        assert f"docs/pdf/{name}.png" in readme, name
