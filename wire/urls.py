from django.urls import path

from wire import views

app_name = "wire"

urlpatterns = [
    path("push/<int:channel_id>/", views.push, name="push"),
]
