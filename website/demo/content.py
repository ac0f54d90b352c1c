"""Demo content: the VOA seed story (public domain) exactly as in the seed file, plus a small newsroom around it."""

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

SEED_FILE = Path(__file__).with_name("seed_voa_idlib.txt")


@dataclass
class SeedStory:
    banner: str
    category: str
    headline: str
    author: str
    published: date
    paragraphs: list[str] = field(default_factory=list)


def read_seed(path=SEED_FILE) -> SeedStory:
    """Parse the reference page: banner, category, headline, “By NAME Month D, YYYY”, paragraphs, signup."""
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    banner, category, headline, byline_line, *rest = lines
    match = re.fullmatch(r"By (?P<author>.+?) (?P<date>[A-Z][a-z]+ \d{1,2}, \d{4})", byline_line)
    if not match:
        raise ValueError(f"Unexpected byline line in seed: {byline_line!r}")
    from datetime import datetime

    published = datetime.strptime(match["date"], "%B %d, %Y").date()
    paragraphs = [p for p in rest if p != "Join the mailing list"]
    return SeedStory(banner, category, headline, match["author"], published, paragraphs)


BANNER_URL = "https://www.clearancejobs.com/"

CATEGORIES = [
    # (name, slug, short name, description, parent slug, nav order)
    ("World", "world", "", "International news and analysis.", None, 10),
    (
        "Weapons of Mass Destruction (WMD)",
        "wmd",
        "WMD",
        "Nuclear, chemical and biological weapons, and the conflicts where they threaten civilians.",
        None,
        20,
    ),
    ("Middle East", "middle-east", "", "News from the Middle East.", "world", 30),
    ("Politics", "politics", "", "Government, elections and policy.", None, 40),
    ("Science", "science", "", "Research, health and the environment.", None, 50),
    ("Business", "business", "", "Markets, companies and the economy.", None, 60),
]

AUTHORS = [
    # (name, slug, job title, bio, affiliation short name)
    (
        "Lisa Schlein",
        "lisa-schlein",
        "Correspondent, Geneva",
        "Lisa Schlein reports on the United Nations and humanitarian affairs from Geneva.",
        "VOA",
    ),
    (
        "Maya Okafor",
        "maya-okafor",
        "Diplomatic correspondent",
        "Maya Okafor covers diplomacy, arms control and the institutions that keep them.",
        None,
    ),
    (
        "Daniel Reyes",
        "daniel-reyes",
        "Science editor",
        "Daniel Reyes writes about climate, public health and the people who study them.",
        None,
    ),
    (
        "Hannah Lindqvist",
        "hannah-lindqvist",
        "Political reporter",
        "Hannah Lindqvist covers legislatures, elections and campaign finance.",
        None,
    ),
    (
        "Samir Haddad",
        "samir-haddad",
        "Business reporter",
        "Samir Haddad covers energy markets, trade and shipping.",
        None,
    ),
]

# (slug, headline, dek, category slug, [(author slug, role)], tags, days before load, featured, paragraphs)
ARTICLES = [
    (
        "inspectors-return-to-declared-chemical-sites",
        "Inspectors Return to Declared Chemical Sites After Two-Year Gap",
        "The watchdog's team will verify the destruction of remaining stockpiles, officials said.",
        "wmd",
        [("maya-okafor", "By")],
        ["Chemical weapons", "Arms control", "OPCW"],
        1,
        True,
        [
            "International inspectors returned on Monday to sites declared under the Chemical Weapons Convention, "
            "ending a two-year pause in on-the-ground verification.",
            "The team will check records against inventories and witness the destruction of remaining stocks, "
            "officials said, adding that the visits would take several weeks.",
            "“Verification is only as good as access,” one official said. “This is access.”",
        ],
    ),
    (
        "arms-control-talks-resume-in-vienna",
        "Arms Control Talks Resume in Vienna With Modest Goals",
        "Negotiators aim for a framework on verification rather than a full treaty.",
        "wmd",
        [("maya-okafor", "By"), ("hannah-lindqvist", "By")],
        ["Arms control", "Diplomacy"],
        2,
        False,
        [
            "Negotiators gathered in Vienna on Tuesday for the first formal round of arms control talks in more than a year.",
            "Delegates described the goals as modest: a shared framework for verification, with a treaty left for later rounds.",
        ],
    ),
    (
        "aid-convoys-reach-northern-towns",
        "Aid Convoys Reach Northern Towns as Roads Reopen",
        "Food and medical supplies arrived for the first time in weeks.",
        "middle-east",
        [("lisa-schlein", "Reporting by"), ("samir-haddad", "By")],
        ["Humanitarian aid", "Syria"],
        3,
        False,
        [
            "Aid convoys carrying food and medicine reached several northern towns on Wednesday after key roads reopened.",
            "Humanitarian groups warned that supplies would last only weeks without regular access.",
        ],
    ),
    (
        "parliament-passes-budget-after-late-session",
        "Parliament Passes Budget After Late-Night Session",
        "The vote ends weeks of negotiation over defence and health spending.",
        "politics",
        [("hannah-lindqvist", "By")],
        ["Budget", "Parliament"],
        4,
        False,
        [
            "Lawmakers approved the annual budget shortly after midnight, ending weeks of negotiations.",
            "The final bill raises health spending and trims a proposed increase for defence procurement.",
        ],
    ),
    (
        "glacier-melt-accelerates-study-finds",
        "Glacier Melt Accelerated Over the Past Decade, Study Finds",
        "Researchers combined satellite records with field measurements from 200 glaciers.",
        "science",
        [("daniel-reyes", "By"), ("maya-okafor", "Photos by")],
        ["Climate", "Research"],
        5,
        False,
        [
            "Mountain glaciers lost ice faster in the past decade than in any comparable period on record, a study published on Thursday found.",
            "The authors combined satellite records with field measurements from 200 glaciers on four continents.",
        ],
    ),
    (
        "shipping-rates-fall-as-ports-clear-backlog",
        "Shipping Rates Fall as Ports Clear Backlog",
        "Container rates dropped for a sixth straight week.",
        "business",
        [("samir-haddad", "By")],
        ["Shipping", "Trade"],
        6,
        False,
        [
            "Container shipping rates fell for a sixth consecutive week as major ports cleared the backlog of waiting vessels.",
            "Analysts said lower rates would take months to reach shop prices.",
        ],
    ),
]

# A live story on the seed's cease-fire: featured, so it leads the home page while its coverage is live. Its updates,
# oldest first: (minutes before load, text, key update?, author slug or None for the desk).
LIVE_STORY = {
    "slug": "idlib-cease-fire-live-updates",
    "headline": "Idlib Cease-fire: Live Updates",
    "dek": "The latest on the cease-fire in Syria's Idlib province and its cost to civilians, as it is reported.",
    "category": "wmd",
    "tags": ["Syria", "Idlib", "United Nations"],
    "bylines": [("lisa-schlein", "By")],
    "paragraphs": [
        "This page follows the cease-fire in northwest Syria as the desk reports it. The newest updates are at the "
        "top; key updates are gathered in the summary above.",
        "Background: the UN human rights office says civilian killings have mounted in Idlib since the cease-fire "
        "began to break down.",
    ],
    "updates": [
        (
            180,
            "We are following reports from Idlib province, where the cease-fire has broken down in several places.",
            False,
            None,
        ),
        (
            150,
            "Aid groups say more families are moving north toward the Turkish border. We are checking the figures.",
            False,
            None,
        ),
        (
            95,
            "The UN human rights office calls for civilians to be protected and for attacks on markets and homes to be investigated.",
            True,
            "lisa-schlein",
        ),
        (
            40,
            "Shelling is reported near Maarat al-Numan this afternoon. There is no independent confirmation yet.",
            False,
            None,
        ),
        (10, "Lisa Schlein will report from the UN briefing in Geneva later today.", False, None),
    ],
}
