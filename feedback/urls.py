from django.urls import path

from . import views

urlpatterns = [
    path("p/<slug:slug>/v<int:number>/s<int:screen_id>/feedback/", views.feedback_form, name="feedback_form"),
]
