from django.urls import path

from sopeli.portal import feeds, views

app_name = "portal"
urlpatterns = [
    path("news/", views.news_list, name="news"),
    path("news/<int:news_id>/", views.news_detail, name="news_detail"),
    path("feeds/news.atom", feeds.NewsFeed(), name="news_feed"),
    path("feeds/decisions.atom", feeds.DecisionsFeed(), name="decisions_feed"),
    path("feeds/calls.atom", feeds.CallsFeed(), name="calls_feed"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("subscribe/confirm/<str:token>/", views.subscription_confirm, name="subscription_confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("how-we-decide/", views.how_we_decide, name="how_we_decide"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger.jsonl", views.ledger_file, name="ledger_file"),
    path("data/", views.open_data, name="open_data"),
    path("manage/news/", views.manage_news, name="manage_news"),
    path("manage/news/new/", views.manage_news_new, name="manage_news_new"),
    path("manage/news/<int:news_id>/", views.manage_news_edit, name="manage_news_edit"),
    path("manage/news/<int:news_id>/publish/", views.manage_news_publish, name="manage_news_publish"),
    path("manage/news/<int:news_id>/unpublish/", views.manage_news_unpublish, name="manage_news_unpublish"),
]
