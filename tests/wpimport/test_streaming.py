"""A long export is read as a stream: memory stays flat however long the file is."""

import tracemalloc
from pathlib import Path

import pytest

from tests.wpimport.wxr import HEAD, SITE, Post
from wpimport import wxr

PARAGRAPH = "The cease-fire in Idlib broke down on Thursday as shelling resumed across the province. " * 12


def write_long_export(path, posts):
    with path.open("w", encoding="utf-8") as out:
        out.write(HEAD.format(site=SITE, version="1.2"))
        for n in range(1, posts + 1):
            out.write(Post(n, slug=f"story-{n}", content="\n\n".join([PARAGRAPH] * 20)).xml(SITE))
        out.write("</channel>\n</rss>\n")
    return path


def resident_bytes():
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * 4096


@pytest.fixture(scope="module")
def long_export(tmp_path_factory):
    return write_long_export(tmp_path_factory.mktemp("wxr") / "long.xml", 3000)


def test_python_memory_stays_flat_while_reading_thousands_of_posts(long_export):
    size = long_export.stat().st_size
    assert size > 50_000_000
    tracemalloc.start()
    try:
        with long_export.open("rb") as source:
            posts = sum(1 for what, _item in wxr.read(source) if what == "item")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert posts == 3000
    assert peak < size / 20  # a few items' worth, not the file


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs Linux's /proc to read resident memory")
def test_the_parsed_tree_does_not_grow_with_the_file(long_export):
    """libxml2's tree is outside Python's view: the process's resident memory tells whether it is cleared."""
    size = long_export.stat().st_size
    with long_export.open("rb") as source:
        reader = wxr.read(source)
        seen = 0
        for what, _item in reader:
            if what != "item":
                continue
            seen += 1
            if seen == 100:
                early = resident_bytes()
        late = resident_bytes()
    assert seen == 3000
    assert late - early < size / 5  # an uncleared tree would hold more than the whole file
