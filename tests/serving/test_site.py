"""The whole site behind Varnish, through the `varnish` fixture (tests/serving/conftest.py). Kept apart from
test_varnish.py, whose module-wide settings (a test URLconf) must not reach pytest-django's live server."""

import pytest


@pytest.mark.django_db(transaction=True)
def test_the_site_runs_behind_varnish_and_staff_pages_always_reach_it(varnish):
    """The `varnish` fixture (the whole site behind Varnish) that tests of the real pages use."""
    health = [varnish.get("/healthz") for _ in range(2)]
    login = [varnish.get("/admin/login/") for _ in range(2)]

    assert [(answer.status, answer.cache) for answer in health] == [(200, "MISS")] * 2
    assert [(answer.status, answer.cache) for answer in login] == [(200, "MISS")] * 2
    assert "csrftoken" in login[1].headers["Set-Cookie"]
