from django.urls import path

from . import views

urlpatterns = [
    path("p/<slug:slug>/v<int:number>/s<int:screen_id>/feedback/", views.feedback_form, name="feedback_form"),
    path("p/<slug:slug>/v<int:number>/tasks/<int:task_id>/", views.task_start, name="feedback_task_start"),
    path("p/<slug:slug>/v<int:number>/summary/", views.version_summary, name="feedback_version_summary"),
]
