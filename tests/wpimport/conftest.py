import pytest

from tests.conftest import picture_bytes
from tests.wpimport.wxr import export_text


@pytest.fixture(autouse=True)
def _private_imports(settings, tmp_path):
    """Uploaded exports in a temporary folder of their own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "imports": {
            "BACKEND": "photos.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "imports")},
        },
    }


@pytest.fixture
def write_export(tmp_path):
    """Write a WordPress export made of the given items (tests/wpimport/wxr.py) and return its path."""
    counter = iter(range(1, 1000))

    def write(items=(), **options):
        path = tmp_path / f"export-{next(counter)}.xml"
        path.write_text(export_text(items, **options), encoding="utf-8")
        return path

    return write


@pytest.fixture
def uploads(tmp_path):
    """A copy of wp-content/uploads: ``uploads.add("2020/01/photo.jpg")`` puts a real picture there."""
    root = tmp_path / "uploads"
    root.mkdir()

    class Uploads:
        path = root

        def add(self, relative, **picture):
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            fmt = {".png": "PNG", ".gif": "GIF", ".webp": "WEBP"}.get(target.suffix.lower(), "JPEG")
            target.write_bytes(picture_bytes(fmt=fmt, size=picture.pop("size", (640, 360)), **picture))
            return target

    return Uploads()
