"""The newsroom"s roles over the articles app (and the tags it files stories under); newsroom/roles.py keeps the
groups in step. Reporters write and submit, post live updates and save changes to their live stories for review;
editors edit anything, publish, withdraw, correct and run live coverage."""

REPORTER = "Reporter"
EDITOR = "Editor"

GRANTS = {
    REPORTER: [
        "add_article",
        "change_article",
        "view_article",
        "submit_article",
        "comment_article",
        "add_byline",
        "change_byline",
        "delete_byline",
        "view_byline",
        "view_author",
        "view_category",
        "view_source",
        "view_correction",
        "view_transition",
        "add_liveupdate",
        "change_liveupdate",
        "delete_liveupdate",
        "view_liveupdate",
    ],
    EDITOR: [
        "add_article",
        "change_article",
        "view_article",
        "submit_article",
        "comment_article",
        "edit_any_article",
        "publish_article",
        "withdraw_article",
        "share_preview",
        "add_byline",
        "change_byline",
        "delete_byline",
        "view_byline",
        "add_correction",
        "change_correction",
        "view_correction",
        "view_transition",
        "view_previewlink",
        "view_articleredirect",
        "add_author",
        "change_author",
        "delete_author",
        "view_author",
        "add_source",
        "change_source",
        "delete_source",
        "view_source",
        "add_category",
        "change_category",
        "delete_category",
        "view_category",
        "add_liveupdate",
        "change_liveupdate",
        "delete_liveupdate",
        "view_liveupdate",
    ],
}

TAG_GRANTS = {
    REPORTER: ["view_tag"],
    EDITOR: ["add_tag", "change_tag", "delete_tag", "view_tag"],
}
