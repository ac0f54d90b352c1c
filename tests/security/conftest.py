import pytest


@pytest.fixture
def public_site(make_article, make_author, make_category, make_banner):
    """A little published site; returns the public URLs to attack."""
    author = make_author(slug="lisa-schlein", name="Lisa Schlein")
    category = make_category(slug="wmd", name="Weapons of Mass Destruction (WMD)")
    article = make_article(authors=[author], category=category, tags=["Syria"])
    make_banner()
    return {
        "home": "/",
        "article": article.get_absolute_url(),
        "category": "/category/wmd/",
        "tag": "/tag/syria/",
        "author": "/author/lisa-schlein/",
        "healthz": "/healthz",
    }
