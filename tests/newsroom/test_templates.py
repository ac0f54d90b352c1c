"""Templates compiled in gunicorn's master before it forks workers (gunicorn.conf.py, newsroom/templates.py)."""

from django.template import engines

from newsroom.templates import compile_all


def test_every_template_is_compiled_into_the_loaders_cache_ahead_of_any_request():
    loader = engines["django"].engine.template_loaders[0]
    loader.reset()

    compiled = compile_all()

    kept = set(loader.get_template_cache)
    assert compiled == len(kept)
    assert {"website/home.html", "website/article_detail.html", "admin/change_form.html"} <= kept
