"""In chromium under the Content-Security-Policy: the pickers submit through static JS, the dashboard's chart draws,
and the browser reports no blocked script."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pages_work_under_the_csp_without_violations(page_for, auditor_user, live_server):
    page = page_for(auditor_user)
    blocked = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    years = page.locator("select[name=year]").first
    options = years.locator("option").all_inner_texts()
    assert len(options) > 1
    other = options[-1] if years.input_value() != options[-1] else options[0]
    years.select_option(other)  # data-autosubmit (static/js/autosubmit.js), formerly an inline onchange
    page.wait_for_url(f"**year={other}*")
    page.goto(live_server.url + "/selfeval/dashboard/")
    page.wait_for_function("() => !!document.querySelector('#grades') && !!window.Chart")
    assert not blocked, blocked
