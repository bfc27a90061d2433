from django.urls import URLPattern, path

from inhouse.audit import views

app_name = "audit"

urlpatterns: list[URLPattern] = [
    path("", views.audit_list, name="list"),
    path("export.csv", views.audit_export, name="export"),
]
