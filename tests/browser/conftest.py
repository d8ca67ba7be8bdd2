"""Browser tests: Debian's chromium driven by Playwright against pytest-django's live server."""

import os
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail("Debian's chromium is installed by `make test`; it is missing here.")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page_for(browser, live_server):
    """A logged-in page for a user: ``page_for(user)``."""
    pages = []

    def login(user, password="pw-for-tests-123"):
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.set_default_timeout(15000)
        page.goto(live_server.url + "/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(live_server.url + "/")
        pages.append(page)
        return page

    yield login
    for page in pages:
        page.close()


@pytest.fixture(autouse=True)
def seeded(reseeded):
    """Every browser test starts from the seed documents (``reseeded`` in tests/conftest.py)."""
