from django.apps import AppConfig


class PhotosConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "photos"
    verbose_name = "Photo library"

    def ready(self):
        from newsroom.roles import keep_in_step
        from photos import roles

        keep_in_step(self, roles.GRANTS)
