from django import forms
from django.urls import reverse_lazy
from taggit.forms import TagWidget


class TagAutocompleteWidget(TagWidget):
    """Taggit's comma-separated input, with suggestions from existing tags as the editor types.

    A small script fills a <datalist> from the admin's tag-suggestion view; without the script it is the plain
    input, so new tags can always be typed.
    """

    class Media:
        js = ["articles/admin/tag_autocomplete.js"]

    def __init__(self, attrs=None):
        defaults = {
            "class": "vTextField tag-autocomplete",
            "data-suggest-url": reverse_lazy("admin:articles_article_tag_suggestions"),
            "autocomplete": "off",
        }
        super().__init__(attrs=defaults | (attrs or {}))


class SlugFromHeadlineWidget(forms.TextInput):
    """The slug input, filled from the headline while it is typed (static/articles/admin/slug_from_headline.js).

    Django's own prepopulation binds only to an empty slug and to key presses, so a draft's slug never followed a
    rewritten headline and a pasted headline left it empty until the form was saved. ``data-slug-locked`` (set by
    the article admin on a story that was published) turns the following off.
    """

    class Media:
        js = ["admin/js/urlify.js", "articles/admin/slug_from_headline.js"]

    def __init__(self, attrs=None, *, source="id_headline"):
        defaults = {"class": "vTextField", "data-slug-source": source, "data-slug-locked": "0"}
        super().__init__(attrs=defaults | (attrs or {}))
