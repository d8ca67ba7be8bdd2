"""In chromium: an auditor exports a year of every department, follows the progress bar, downloads the ZIP."""

import zipfile

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_auditor_exports_a_year(page_for, auditor_user, live_server, tmp_path):
    page = page_for(auditor_user)
    page.click("text=批量导出")
    page.select_option("select[name=year]", "2019")
    page.select_option("select[name=department]", "")
    page.click("text=开始导出")
    page.wait_for_url("**/exports/*/")
    page.wait_for_selector("[data-download]:not(.hidden)")
    assert page.locator("progress").get_attribute("value") == "100"
    page.screenshot(path=str(tmp_path / "export.png"))
    with page.expect_download() as download_info:
        page.click("text=下载 ZIP")
    path = tmp_path / "export.zip"
    download_info.value.save_as(path)
    names = zipfile.ZipFile(path).namelist()
    assert len([n for n in names if n.endswith(".pdf")]) == 16 and "索引.xlsx" in names
