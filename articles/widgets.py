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
