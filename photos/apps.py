from django.apps import AppConfig


class PhotosConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "photos"
    verbose_name = "Photo library"

    def ready(self):
        # Imported here: modules that import models can be imported only once every app is loaded.
        import reversion

        from newsroom.roles import keep_in_step
        from photos import roles
        from photos.models import Image

        keep_in_step(self, roles.GRANTS)
        if not reversion.is_registered(Image):
            # Every admin change of a library picture, with who made it; the articles app also records it as a
            # revision of each published story that shows it (photos/admin.py, through photos.usage).
            reversion.register(Image)
