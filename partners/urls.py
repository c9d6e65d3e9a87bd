from django.urls import path

from . import views

app_name = "partner"

urlpatterns = [
    path("", views.partner, name="signup"),
    path("thanks/", views.partner_thanks, name="thanks"),
    path("manage/", views.manage_mine, name="manage-mine"),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("stripe/webhook/", views.stripe_webhook, name="stripe-webhook"),
    path("statement/<str:token>/", views.statement_by_link, name="statement"),
    path("statement/<str:token>/pdf/", views.statement_by_link, {"as_pdf": True},
         name="statement-pdf"),
]

# A member's own giving, under /accounts/giving/ (namespace "giving").
account_patterns = [
    path("", views.my_giving, name="mine"),
    path("<str:year>/statement/", views.my_statement, name="statement"),
    path("<str:year>/statement.pdf", views.my_statement, {"as_pdf": True},
         name="statement-pdf"),
]
