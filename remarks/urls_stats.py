from django.urls import path

from remarks import views_stats

app_name = "stats"
urlpatterns = [
    path("stats/", views_stats.stats_index, name="index"),
    # /stats/export/agencies.xlsx?<the page's filters>
    path("stats/export/<slug:table>.<slug:fmt>", views_stats.stats_export, name="export"),
    path("transparency/", views_stats.transparency, name="transparency"),
    path("transparency/export/<slug:table>.<slug:fmt>", views_stats.transparency_export,
         name="transparency_export"),
]
