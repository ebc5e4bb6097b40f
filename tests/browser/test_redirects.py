"""After sign-in the pages return only to a page of this site: a `next` that the URL
parser resolves elsewhere ("/\\t/example.org", "//example.org", "javascript:") leads
to the front end's own start page, on all three front ends."""

from __future__ import annotations

from urllib.parse import quote, urlparse

from tests.browser.conftest import DESKTOP
from tests.browser.steps import account, new_staff, sign_in

HOSTILE = ("/\t/example.org", "//example.org/x", "/\\example.org", "javascript:alert(1)", "https://example.org/")


def test_sign_in_never_leads_off_the_site(stack, admin, browsers):
    reader = account(stack, admin, name="跳转读者", verified=False)
    clerk = new_staff(admin, "clerk", "跳转审查")
    origin = urlparse(stack.base_url).netloc
    for front, phone, password, home in (
        ("web", reader.phone, "Reader-2024", "/web/applications"),
        ("m", reader.phone, "Reader-2024", "/m/reading"),
        ("staff", clerk["phone"], clerk["password"], "/staff/applications"),
    ):
        for hostile in HOSTILE:
            page = browsers.page(DESKTOP)
            page.goto(f"/{front}/login?next={quote(hostile, safe='')}")
            sign_in(page, phone, password)
            page.wait_for_url(f"**{home}")
            assert urlparse(page.url).netloc == origin, (front, hostile, page.url)
            page.context.close()
    # a path of the site itself is honoured
    page = browsers.page(DESKTOP)
    page.goto("/web/login?next=" + quote("/web/messages", safe=""))
    sign_in(page, reader.phone, "Reader-2024")
    page.wait_for_url("**/web/messages")
