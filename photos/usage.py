"""Where pictures are shown. Apps that place pictures register a finder here from their AppConfig.ready()
(articles does: lead images and pictures in bodies); the library asks when it must know who may change a picture,
what its admin page lists and what deleting it would break. So the library depends on no app that uses it."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Use:
    """One place a picture is shown: `what` names the kind of thing ("Article"), `how` the way ("lead image",
    "in the body"); `published` says whether readers see it (or will at a set time)."""

    image_id: int
    what: str
    title: str
    admin_url: str
    status: str
    published: bool
    how: str
    # Set by finders that know the object (article admin revisions record it alongside a picture change).
    obj: object = None


Finder = Callable[[list], Iterable[Use]]
_finders: list[Finder] = []


def register(finder: Finder) -> Finder:
    """Add a finder: called with a list of images, it yields a `Use` for each place one of them is shown."""
    if finder not in _finders:
        _finders.append(finder)
    return finder


def uses_of(images) -> dict[int, list[Use]]:
    images = [image for image in images if image.pk]
    found = defaultdict(list)
    if images:
        for finder in _finders:
            for use in finder(images):
                found[use.image_id].append(use)
    return dict(found)
