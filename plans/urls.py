from django.urls import path

from . import views

urlpatterns = [
    path("plans/items/<int:item_id>/", views.item_detail, name="plans_item"),
    path("plans/<int:plan_id>/export.csv", views.plan_csv, name="plans_csv"),
    path("plans/<int:plan_id>/export.xlsx", views.plan_xlsx, name="plans_xlsx"),
    path("plans/<slug:slug>.ics", views.office_calendar, name="plans_calendar"),
    path("plans/overview/", views.overview, name="plans_overview"),
    path("plans/from-idea/<int:idea_id>/", views.item_from_idea, name="plans_from_idea"),
    path("plans/from-table/<int:table_id>/", views.items_from_table, name="plans_from_table"),
    path("plans/items/<int:item_id>/milestones/", views.milestone_add, name="plans_milestone_add"),
    path("plans/milestones/<int:milestone_id>/", views.milestone_toggle, name="plans_milestone_toggle"),
]
