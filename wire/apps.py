from django.apps import AppConfig


class WireConfig(AppConfig):
    """The wire desk: agency channels, the queue of what they sent, and turning an item into a story."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "wire"
    verbose_name = "Wire"

    def ready(self):
        # Imported here: models, and the modules that use them, can be imported only once every app is loaded.
        from articles.admin import article_tools
        from newsroom.roles import keep_in_step
        from wire import roles
        from wire.admin import wire_update_tool

        keep_in_step(self, roles.GRANTS)
        # The article admin knows nothing of the wire: this app adds "a new wire version is waiting" to a story's page.
        if wire_update_tool not in article_tools:
            article_tools.append(wire_update_tool)
