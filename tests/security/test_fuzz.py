"""Generated input for the views strangers reach most: search, the signup form and the date archives."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailinglist.models import Subscriber

pytestmark = pytest.mark.django_db

# The client and the site are the same for every example: the function-scoped fixtures are meant to be shared.
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

any_text = st.text(st.characters(codec="utf-8"), max_size=300)
hostile_text = st.one_of(
    any_text,
    st.sampled_from(["<script>alert(1)</script>", "' OR 1=1 --", '"quoted phrase', "-", "or", "\x00", "%", "*:*", "!"]),
    st.text(st.sampled_from("\"'-()*:&|!<>~^%_\\ \x00\x1f"), max_size=40),
)


@pytest.fixture
def site(make_article, make_author, make_category):
    author = make_author(slug="lisa-schlein", name="Lisa Schlein")
    category = make_category(slug="wmd", name="Weapons of Mass Destruction (WMD)")
    make_article(headline="Civilian killings mount in Idlib", authors=[author], category=category, tags=["Syria"])


@FUZZ
@given(query=hostile_text, category=any_text, author=any_text, since=any_text, until=any_text, page=any_text)
def test_search_never_fails(client, site, query, category, author, since, until, page):
    response = client.get(
        "/search/", {"q": query, "category": category, "author": author, "since": since, "until": until, "page": page}
    )
    assert response.status_code in (200, 400, 404), response.status_code


@FUZZ
@given(query=hostile_text)
def test_search_query_alone_gives_a_normal_page(client, site, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200


@FUZZ
@given(
    year=st.integers(min_value=0, max_value=9999),
    month=st.integers(min_value=0, max_value=99),
    day=st.integers(min_value=0, max_value=99),
    depth=st.sampled_from([1, 2, 3]),
)
def test_archives_answer_200_or_404(client, site, year, month, day, depth):
    path = ["/archive", f"{year:04d}", f"{month:02d}", f"{day:02d}"][: depth + 1]
    response = client.get("/".join(path) + "/")
    assert response.status_code in (200, 404), "/".join(path)


@FUZZ
@given(
    email=st.one_of(st.emails(), any_text),
    lists=st.lists(any_text, max_size=3),
    honeypot=st.one_of(st.just(""), any_text),
    started=any_text,
    source=any_text,
)
def test_signup_never_fails_and_stores_nothing_invalid(client, site, email, lists, honeypot, started, source):
    data = {"email": email, "lists": lists, "homepage": honeypot, "started": started, "source": source}
    response = client.post("/newsletter/", data)
    assert response.status_code in (200, 303, 400, 429), response.status_code
    for subscriber in Subscriber.objects.all():
        assert "@" in subscriber.email and "<" not in subscriber.email and "\x00" not in subscriber.email
