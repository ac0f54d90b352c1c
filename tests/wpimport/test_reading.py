"""Reading an export: WXR 1.0 to 1.2 as WordPress writes them, and every kind of bad file refused with a message a
newsroom can act on, before anything is written."""

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article, Author, Category
from tests.wpimport.wxr import SITE, Post, export_text
from wpimport import wxr
from wpimport.importer import import_export
from wpimport.models import ImportedItem

pytestmark = pytest.mark.django_db


def nothing_written():
    return not (Article.objects.exists() or Author.objects.exists() or Category.objects.exists())


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2"])
def test_each_wxr_version_is_read(write_export, version):
    report = import_export(write_export([Post(1, slug="one")], version=version))
    assert report.site == SITE
    assert report.counts["post created"] == 1
    assert Article.objects.get().headline == "A story"


def refused(path):
    with pytest.raises(wxr.NotAnExport) as refusal:
        import_export(path)
    assert nothing_written()
    assert not ImportedItem.objects.exists()
    return str(refusal.value)


def test_a_file_that_is_not_xml_is_refused(tmp_path):
    path = tmp_path / "export.xml"
    path.write_bytes(b"PK\x03\x04 a zip file")
    assert "not XML" in refused(path)


def test_an_xml_file_that_is_not_an_export_is_refused(tmp_path):
    path = tmp_path / "export.xml"
    path.write_text('<?xml version="1.0"?><html><body>Hello</body></html>')
    assert "starts with <html>" in refused(path)


def test_a_plain_rss_feed_is_refused(tmp_path):
    path = tmp_path / "feed.xml"
    path.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Feed</title><link>https://x.example</link>'
        "<item><title>One</title></item></channel></rss>"
    )
    assert "RSS feed, not a WordPress export" in refused(path)


def test_a_truncated_export_is_refused_and_leaves_no_rows(tmp_path):
    """Cut short in the middle of the third post: the first two are whole, and still nothing is made."""
    text = export_text([Post(1, slug="one"), Post(2, slug="two"), Post(3, slug="three")])
    path = tmp_path / "export.xml"
    path.write_text(text[: text.index("<wp:post_id>3") + 20])
    message = refused(path)
    assert "damaged or incomplete" in message
    assert "Export it again" in message


def test_an_entity_bomb_is_refused_unexpanded(tmp_path):
    lol = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
    text = export_text([Post(1, slug="one", title="&lol9;")]).replace(
        '<?xml version="1.0" encoding="UTF-8" ?>',
        f'<?xml version="1.0" encoding="UTF-8" ?><!DOCTYPE rss [<!ENTITY lol0 "lol">{lol}]>',
    )
    path = tmp_path / "bomb.xml"
    path.write_text(text)
    assert "entity bomb" in refused(path)


def test_an_external_entity_is_never_fetched_or_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    text = export_text([Post(1, slug="one", content="&xxe;")]).replace(
        '<?xml version="1.0" encoding="UTF-8" ?>',
        f'<?xml version="1.0" encoding="UTF-8" ?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>',
    )
    path = tmp_path / "xxe.xml"
    path.write_text(text)
    refused(path)


def test_the_command_says_why_a_file_is_refused(tmp_path):
    path = tmp_path / "export.xml"
    path.write_text("<html></html>")
    with pytest.raises(CommandError, match="not a WordPress export"):
        call_command("import_wordpress", str(path), stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert nothing_written()


def test_reading_keeps_one_item_in_the_tree_at_a_time(write_export):
    """Each item is cleared and dropped from the tree once read, so a long export never accumulates."""
    path = write_export([Post(n, slug=f"post-{n}") for n in range(1, 50)])
    seen = 0
    with path.open("rb") as source:
        reader = wxr.read(source)
        for what, _item in reader:
            if what == "item":
                seen += 1
                # Nothing read before the item being handed out is left in the tree.
                assert reader.gi_frame.f_locals["element"].getprevious() is None
    assert seen == 49
