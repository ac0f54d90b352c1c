"""The newsroom's roles over the wire desk; newsroom/roles.py keeps the groups in step. Editors run the desk: its
channels and every item. Reporters read the queue and may turn an item into a draft of their own."""

from articles.roles import EDITOR, REPORTER
from newsroom.roles import ALL

GRANTS = {
    EDITOR: ALL,
    REPORTER: ["view_wireitem", "use_wireitem", "view_channel"],
}
