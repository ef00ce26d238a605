from django.urls import path

from remarks import views_stats

app_name = "stats"
urlpatterns = [
    path("stats/", views_stats.stats_index, name="index"),
    path("transparency/", views_stats.transparency, name="transparency"),
]
