"""Feedback in the Wagtail admin (triage, test tasks), and feedback's layer of play mode."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views, views
from .selectors import triage_queryset

# Pins and test tasks on prototypes' play mode (`prototypes.views.PLAY_LAYERS`).
hooks.register("atelier_play_layers", views.play_layer)


@hooks.register("register_admin_urls")
def feedback_admin_urls():
    return [
        path("feedback/", admin_views.feedback_list, name="feedback_admin_list"),
        path("feedback/<int:feedback_id>/", admin_views.feedback_detail, name="feedback_admin_detail"),
        path("feedback/versions/<int:version_id>/tasks/new/", admin_views.task_create, name="feedback_admin_task_create"),
        path("feedback/tasks/<int:task_id>/", admin_views.task_results, name="feedback_admin_task"),
        path("feedback/tasks/<int:task_id>/heatmap/<int:screen_id>.png", admin_views.task_heatmap,
             name="feedback_admin_task_heatmap"),
    ]


class FeedbackMenuItem(MenuItem):
    def is_shown(self, request):
        return triage_queryset(request.user).exists() or request.user.has_perm("prototypes.change_prototype")


@hooks.register("register_admin_menu_item")
def feedback_menu_item():
    return FeedbackMenuItem(_("Feedback"), reverse("feedback_admin_list"), icon_name="comment", order=265)
