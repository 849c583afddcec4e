from django.urls import path

from . import views

urlpatterns = [
    path("p/<slug:slug>/", views.play, name="prototypes_play"),
    path("p/<slug:slug>/v<int:number>/", views.play, name="prototypes_play_version"),
    path("p/<slug:slug>/v<int:number>/s<int:screen_id>/", views.play, name="prototypes_play_screen"),
    path("services/<slug:slug>/", views.service_page, name="prototypes_service"),
]
