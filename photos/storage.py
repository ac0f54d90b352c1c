"""Where image originals live: a storage with no public URL, chosen by the ``originals`` alias in STORAGES."""

from django.core.files.storage import FileSystemStorage, storages
from django.utils.deconstruct import deconstructible


class PrivateFileSystemStorage(FileSystemStorage):
    """Files on disk outside MEDIA_ROOT; nothing serves them, so they never get a URL."""

    def url(self, name):
        raise ValueError("Image originals are private and have no URL; serve a rendition instead.")


@deconstructible(path="photos.storage.OriginalsStorage")
class OriginalsStorage:
    """Looks the ``originals`` storage up on every use, so a settings change (S3, tests) takes effect."""

    def __getattr__(self, name):
        return getattr(storages["originals"], name)

    def __eq__(self, other):
        return isinstance(other, OriginalsStorage)

    def __hash__(self):
        return hash(OriginalsStorage)


originals_storage = OriginalsStorage()
