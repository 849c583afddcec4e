from django.urls import path

from . import views

urlpatterns = [
    path("join/", views.join, name="ideas_join"),
    path("w/sw.js", views.service_worker, name="ideas_service_worker"),
    path("w/<str:code>/", views.participant, name="ideas_participant"),
    path("w/<str:code>/present/", views.presenter, name="ideas_presenter"),
    path("w/<str:code>/screen/", views.screen, name="ideas_screen"),
    path("w/<str:code>/results/", views.results, name="ideas_results"),
    path("w/<str:code>/results.csv", views.results_csv, name="ideas_results_csv"),
    path("w/<str:code>/results.xlsx", views.results_xlsx, name="ideas_results_xlsx"),
    path("w/<str:code>/qr.svg", views.qr_svg, name="ideas_qr"),
    path("w/<str:code>/assist/", views.assist, name="ideas_assist"),
    path("w/<str:code>/assist/helpers/", views.assist_helpers, name="ideas_assist_helpers"),
    path("w/<str:code>/tally/", views.tally, name="ideas_tally"),
    path("w/<str:code>/poster/", views.poster, name="ideas_poster"),
    path("w/<str:code>/handout/", views.handout, name="ideas_handout"),
    path("w/<str:code>/summary/", views.summary, name="ideas_summary"),
]
