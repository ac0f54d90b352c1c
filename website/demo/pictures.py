"""Demo photographs drawn with Pillow, so the demo site has pictures without downloading anything.

Each scene is painted from simple shapes (sky, hills, buildings, vehicles) with a little film grain, at a
size large enough for every rendition. They are plainly illustrations and their credit says so.
"""

import functools
import io
import math
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter

WIDTH, HEIGHT = 1920, 1280  # drawn at this size, delivered at SIZE
SIZE = (1600, 1067)  # wide enough for the article column's largest useful rendition, quick to process
CREDIT = "Newsroom demo illustration"


@dataclass(frozen=True)
class DemoPicture:
    article_slug: str
    alt_text: str
    caption: str
    focal: tuple[float, float]
    paint: callable
    inline: bool = False  # placed in the article body rather than as its lead image


def sky(draw, top, bottom, horizon=HEIGHT):
    # Painted to the bottom edge, so no gap shows where the ground's outline dips below the horizon.
    for y in range(HEIGHT):
        t = min(1.0, y / max(1, horizon - 1))
        draw.line([(0, y), (WIDTH, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))


def hills(draw, rng, base, amplitude, color, waves=3):
    phase = [rng.uniform(0, math.tau) for _ in range(waves)]
    points = [(0, HEIGHT)]
    for x in range(0, WIDTH + 16, 16):
        y = base + sum(amplitude / (i + 1) * math.sin(x / (180 * (i + 1)) + phase[i]) for i in range(waves))
        points.append((x, y))
    points.append((WIDTH, HEIGHT))
    draw.polygon(points, fill=color)


def finish(im, rng):
    im = im.filter(ImageFilter.GaussianBlur(1.2))
    grain = Image.effect_noise((WIDTH, HEIGHT), 24).convert("RGB")
    return Image.blend(im, grain, 0.06)


def olive_grove(rng):
    im = Image.new("RGB", (WIDTH, HEIGHT))
    d = ImageDraw.Draw(im)
    sky(d, (74, 96, 140), (236, 176, 120), 760)
    d.ellipse((1380, 420, 1520, 560), fill=(255, 226, 170))
    hills(d, rng, 700, 60, (120, 110, 96))
    hills(d, rng, 820, 40, (150, 132, 92))
    for row in range(5):
        y = 860 + row * 90
        for col in range(9):
            x = 120 + col * 210 + (row % 2) * 105 + rng.randint(-20, 20)
            r = 46 + row * 10
            d.rectangle((x - 6, y, x + 6, y + r), fill=(70, 52, 36))
            d.ellipse((x - r, y - r, x + r, y + r // 2), fill=(68 + rng.randint(0, 20), 96, 52))
    d.polygon([(880, HEIGHT), (1040, HEIGHT), (980, 760), (960, 760)], fill=(190, 170, 140))
    return finish(im, rng)


def chemical_site(rng):
    im = Image.new("RGB", (WIDTH, HEIGHT))
    d = ImageDraw.Draw(im)
    sky(d, (150, 170, 190), (220, 224, 226), 820)
    hills(d, rng, 760, 30, (140, 140, 130))
    d.rectangle((0, 820, WIDTH, HEIGHT), fill=(120, 118, 110))
    for i, x in enumerate((420, 700, 980)):
        d.rectangle((x, 520, x + 220, 860), fill=(206, 204, 196))
        d.ellipse((x, 490, x + 220, 550), fill=(226, 224, 218))
        d.line([(x + 20 + i * 5, 600), (x + 200, 600)], fill=(160, 60, 40), width=8)
    d.rectangle((1280, 600, 1700, 860), fill=(170, 150, 120))
    for x in range(1300, 1700, 60):
        d.rectangle((x, 640, x + 30, 690), fill=(60, 70, 80))
    for x in range(0, WIDTH, 40):
        d.line([(x, 900), (x, 1010)], fill=(90, 90, 90), width=4)
    d.line([(0, 920), (WIDTH, 920)], fill=(90, 90, 90), width=3)
    d.line([(0, 990), (WIDTH, 990)], fill=(90, 90, 90), width=3)
    for x in (560, 640):
        d.ellipse((x, 930, x + 44, 974), fill=(230, 200, 40))
        d.rectangle((x + 6, 974, x + 38, 1080), fill=(240, 210, 60))
    return finish(im, rng)


def vienna_skyline(rng):
    im = Image.new("RGB", (WIDTH, HEIGHT))
    d = ImageDraw.Draw(im)
    sky(d, (30, 40, 80), (200, 120, 110), 900)
    x = 0
    while x < WIDTH:
        w, h = rng.randint(80, 180), rng.randint(160, 380)
        d.rectangle((x, 900 - h, x + w, 900), fill=(40, 36, 48))
        for wy in range(900 - h + 20, 890, 36):
            for wx in range(x + 12, x + w - 12, 28):
                if rng.random() < 0.45:
                    d.rectangle((wx, wy, wx + 12, wy + 18), fill=(250, 210, 120))
        x += w + rng.randint(0, 20)
    d.rectangle((820, 560, 1100, 900), fill=(60, 56, 66))
    d.pieslice((840, 420, 1080, 700), 180, 360, fill=(70, 120, 110))
    d.polygon([(950, 300), (970, 300), (960, 420)], fill=(70, 120, 110))
    d.rectangle((0, 900, WIDTH, HEIGHT), fill=(24, 30, 46))
    for y in range(920, HEIGHT, 14):
        d.line([(rng.randint(0, 400), y), (rng.randint(1400, WIDTH), y)], fill=(60, 60, 80), width=2)
    return finish(im, rng)


def aid_convoy(rng):
    im = Image.new("RGB", (WIDTH, HEIGHT))
    d = ImageDraw.Draw(im)
    sky(d, (120, 170, 220), (230, 220, 200), 700)
    hills(d, rng, 640, 70, (190, 160, 120))
    hills(d, rng, 760, 40, (210, 180, 130))
    d.polygon([(0, 1060), (WIDTH, 900), (WIDTH, 1000), (0, 1180)], fill=(96, 92, 88))
    for i in range(5):
        x = 200 + i * 330
        y = 1090 - i * 28
        d.rectangle((x, y - 150, x + 220, y), fill=(236, 236, 232))
        d.rectangle((x + 220, y - 100, x + 290, y), fill=(40, 90, 160))
        d.rectangle((x + 232, y - 90, x + 276, y - 60), fill=(170, 200, 230))
        for wx in (x + 30, x + 170, x + 250):
            d.ellipse((wx - 24, y - 24, wx + 24, y + 24), fill=(30, 30, 30))
        d.rectangle((x + 70, y - 120, x + 150, y - 40), fill=(200, 40, 40))
    return finish(im, rng)


def parliament(rng):
    im = Image.new("RGB", (WIDTH, HEIGHT))
    d = ImageDraw.Draw(im)
    sky(d, (10, 16, 40), (60, 70, 120), 1020)
    for _ in range(160):
        x, y = rng.randint(0, WIDTH), rng.randint(0, 500)
        d.point((x, y), fill=(240, 240, 255))
    d.rectangle((360, 560, 1560, 980), fill=(200, 190, 170))
    d.polygon([(320, 560), (1600, 560), (960, 400)], fill=(214, 204, 184))
    for x in range(420, 1520, 100):
        d.rectangle((x, 600, x + 40, 960), fill=(236, 228, 210))
    d.pieslice((800, 200, 1120, 520), 180, 360, fill=(130, 150, 140))
    d.rectangle((400, 980, 1520, 1020), fill=(180, 170, 150))
    for x in range(470, 1470, 100):
        d.rectangle((x + 52, 640, x + 88, 700), fill=(255, 220, 140))
    d.rectangle((0, 1020, WIDTH, HEIGHT), fill=(30, 34, 44))
    return finish(im, rng)


def glacier(rng):
    im = Image.new("RGB", (WIDTH, HEIGHT))
    d = ImageDraw.Draw(im)
    sky(d, (70, 120, 190), (200, 220, 240), 900)
    d.polygon(
        [(0, 900), (500, 260), (760, 520), (1100, 180), (1500, 600), (1920, 320), (1920, 900)], fill=(90, 96, 110)
    )
    d.polygon([(380, 420), (500, 260), (620, 400), (560, 380), (500, 430)], fill=(245, 248, 252))
    d.polygon([(960, 340), (1100, 180), (1240, 340), (1180, 560), (1060, 760), (1010, 520)], fill=(232, 242, 250))
    d.polygon([(1780, 420), (1920, 320), (1920, 470)], fill=(245, 248, 252))
    d.rectangle((0, 900, WIDTH, HEIGHT), fill=(70, 140, 170))
    for y in range(910, HEIGHT, 18):
        d.line([(rng.randint(0, 600), y), (rng.randint(1200, WIDTH), y)], fill=(110, 170, 196), width=2)
    d.polygon([(980, 900), (1100, 860), (1180, 900)], fill=(236, 244, 250))
    return finish(im, rng)


def port(rng):
    im = Image.new("RGB", (WIDTH, HEIGHT))
    d = ImageDraw.Draw(im)
    sky(d, (140, 180, 220), (236, 232, 220), 820)
    d.rectangle((0, 820, WIDTH, HEIGHT), fill=(50, 90, 120))
    colors = [(190, 60, 40), (40, 90, 160), (230, 170, 40), (60, 130, 80), (120, 120, 120)]
    d.polygon([(260, 800), (1500, 800), (1420, 940), (320, 940)], fill=(40, 44, 52))
    for row in range(4):
        for col in range(18):
            x, y = 330 + col * 62, 740 - row * 44
            d.rectangle((x, y, x + 58, y + 40), fill=rng.choice(colors))
    d.rectangle((1300, 600, 1420, 800), fill=(230, 230, 230))
    for x in (1560, 1760):
        d.rectangle((x, 300, x + 24, 900), fill=(220, 120, 40))
        d.rectangle((x - 260, 300, x + 120, 330), fill=(220, 120, 40))
        d.line([(x - 200, 330), (x - 200, 560)], fill=(40, 40, 40), width=4)
    return finish(im, rng)


PICTURES = [
    DemoPicture(
        "civilian-killings-mount-in-idlib-as-cease-fire-breaks-down",
        "Rows of olive trees on a hillside under an evening sky",
        "Olive groves in the hills of northwestern Syria (illustration).",
        (0.5, 0.72),
        olive_grove,
    ),
    DemoPicture(
        "inspectors-return-to-declared-chemical-sites",
        "Storage tanks and a low building behind a wire fence, with two inspectors in yellow",
        "Inspectors at the perimeter of a declared storage site (illustration).",
        (0.32, 0.62),
        chemical_site,
    ),
    DemoPicture(
        "arms-control-talks-resume-in-vienna",
        "A city skyline at dusk with a domed building and lit windows",
        "Vienna at dusk on the eve of the talks (illustration).",
        (0.5, 0.45),
        vienna_skyline,
    ),
    DemoPicture(
        "aid-convoys-reach-northern-towns",
        "A line of white aid trucks with red emblems on a road through dry hills",
        "An aid convoy on the reopened road north (illustration).",
        (0.45, 0.78),
        aid_convoy,
    ),
    DemoPicture(
        "parliament-passes-budget-after-late-session",
        "A columned parliament building with a green dome at night",
        "Lights burned late in parliament as the budget vote approached (illustration).",
        (0.5, 0.42),
        parliament,
    ),
    DemoPicture(
        "glacier-melt-accelerates-study-finds",
        "Snow-capped peaks with a glacier tongue reaching a blue lake",
        "A glacier feeding a meltwater lake (illustration).",
        (0.56, 0.4),
        glacier,
    ),
    DemoPicture(
        "shipping-rates-fall-as-ports-clear-backlog",
        "A container ship stacked with coloured containers beside two orange cranes",
        "Container traffic moving again at the port (illustration).",
        (0.5, 0.55),
        port,
    ),
    DemoPicture(
        "aid-convoys-reach-northern-towns",
        "Rows of olive trees on either side of a road under an evening sky",
        "Olive groves along the convoy route (illustration).",
        (0.5, 0.7),
        olive_grove,
        inline=True,
    ),
    DemoPicture(
        "idlib-cease-fire-live-updates",
        "White trucks with red emblems on a road winding through dry hills",
        "Aid trucks on the road north from the border crossing (illustration).",
        (0.45, 0.78),
        aid_convoy,
    ),
]


@functools.cache
def jpeg_bytes(picture, seed):
    im = picture.paint(random.Random(seed)).resize(SIZE, Image.Resampling.LANCZOS)  # noqa: S311 - repeatable drawing
    out = io.BytesIO()
    im.save(out, "JPEG", quality=88, optimize=True)
    return out.getvalue()
