"""Who works with the photo library (newsroom/roles.py keeps the groups in step). Reporters upload and change their
own pictures while no published story shows them; editors change and delete any."""

GRANTS = {
    "Reporter": ["add_image", "change_image", "view_image"],
    "Editor": ["add_image", "change_image", "change_any_image", "delete_image", "view_image"],
}
