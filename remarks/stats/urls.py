from django.urls import path

from remarks.stats import views

app_name = "stats"
urlpatterns = [
    path("stats/", views.stats_index, name="index"),
    # /stats/export/agencies.xlsx?<the page's filters>
    path("stats/export/<slug:table>.<slug:fmt>", views.stats_export, name="export"),
    path("transparency/", views.transparency, name="transparency"),
    path("transparency/export/<slug:table>.<slug:fmt>", views.transparency_export,
         name="transparency_export"),
]
