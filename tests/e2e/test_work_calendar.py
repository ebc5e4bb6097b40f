"""The review's time limit in working days, end to end: an admin uploads a year's public
holidays and 调休 working days; the clerk's queue and the dashboard's gauge count the
oldest application's wait by them (and by Monday to Friday for a year nobody uploaded)."""

from __future__ import annotations

import pytest
import requests

from tests.e2e.test_observability import metrics_port, sample, scrape
from tests.e2e.test_review import court_of_this_test, import_case, submit, wait_arrived
from tests.support import Api, assert_error, create_staff, wait_until

YEAR = 2031
# a National Day week of the shape the yearly notice sets (an example): 1-7 October rest,
# Sunday 28 September and Saturday 11 October worked
CALENDAR = {"holidays": [f"{YEAR}-10-0{d}" for d in range(1, 8)], "workdays": [f"{YEAR}-09-28", f"{YEAR}-10-11"]}


@pytest.fixture
def monday_after_national_day(stack, clock):
    """The court's clock on Monday 13 October 2031, with everyone signed in at that time."""
    clock.set(f"{YEAR}-10-13T10:00:00+08:00")
    yield stack.admin_api()


def queued(clerk: Api, app_id: int) -> dict:
    items = clerk.get("/api/v1/staff/applications", params={"status": "pending", "limit": 100}).json()["items"]
    return next(item for item in items if item["id"] == app_id)


def test_the_wait_counts_working_days_by_the_uploaded_calendar(stack, monday_after_national_day):
    admin = monday_after_national_day
    court = court_of_this_test()
    clerk = create_staff(admin, "clerk", court)
    party = Api(stack.base_url)
    party.register("party")
    case_no = import_case(admin, court, electronic=True)
    # applied on Friday 26 September, in the afternoon
    app_id = submit(stack, party, case_no, court, applied_at=f"{YEAR}-09-26T15:00:00+08:00")
    wait_arrived(clerk, app_id)
    assert admin.put(f"/api/v1/admin/holidays/{YEAR}", json={"holidays": [], "workdays": []}).status_code == 200
    assert queued(clerk, app_id)["waited_working_days"] == 11  # Monday to Friday only

    stored = admin.put(f"/api/v1/admin/holidays/{YEAR}", json=CALENDAR)
    assert stored.status_code == 200, stored.text
    assert stored.json() == {"year": YEAR, **CALENDAR, "uploaded": True}
    assert admin.get(f"/api/v1/admin/holidays/{YEAR}").json()["holidays"] == CALENDAR["holidays"]
    # 28 Sep (worked), 29, 30, 8, 9, 10, 11 Oct (worked) and 13 Oct: the holiday week is not counted
    assert queued(clerk, app_id)["waited_working_days"] == 8

    port = metrics_port(stack, "review")

    def gauge():
        scraped = scrape(f"http://127.0.0.1:{port}/metrics")
        return sample(scraped, "court_review_oldest_pending_working_days", court=court)

    assert wait_until(lambda: gauge() == 8, 15), gauge()


def test_only_an_admin_uploads_a_calendar_and_only_a_years_dates(stack, monday_after_national_day):
    admin = monday_after_national_day
    untouched = 2087  # a year no test uploads (the browser test takes 2032)
    assert admin.get(f"/api/v1/admin/holidays/{untouched}").json() == {
        "year": untouched,
        "holidays": [],
        "workdays": [],
        "uploaded": False,
    }
    clerk = create_staff(admin, "clerk", court_of_this_test())
    assert_error(clerk.put(f"/api/v1/admin/holidays/{YEAR}", json=CALENDAR), 403, "forbidden")
    assert_error(clerk.get(f"/api/v1/admin/holidays/{YEAR}"), 403, "forbidden")
    for year, body in (
        (YEAR, {"holidays": [f"{YEAR + 1}-01-01"]}),
        (YEAR, {"holidays": ["十月一日"]}),
        (YEAR, {"holidays": [f"{YEAR}-10-11"], "workdays": [f"{YEAR}-10-11"]}),
        (YEAR, {"workdays": [f"{YEAR}-10-10"]}),  # a Friday is a working day anyway
        ("next", {}),
    ):
        assert_error(admin.put(f"/api/v1/admin/holidays/{year}", json=body), 422, "validation_error")
    assert admin.put(f"/api/v1/admin/holidays/{YEAR}", data="[]").status_code in (400, 422)
    assert requests.get(f"{stack.base_url}/api/v1/admin/holidays/{YEAR}", timeout=10).status_code == 401
