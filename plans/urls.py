from django.urls import path

from . import views

urlpatterns = [
    path("plans/items/<int:item_id>/", views.item_detail, name="plans_item"),
]
