from django.contrib.admin.apps import AdminConfig


class NewsroomAdminConfig(AdminConfig):
    """The admin with the newsroom's site class, so every `@admin.register` gets its login and two-factor rules."""

    default_site = "newsroom.admin_site.NewsroomAdminSite"
