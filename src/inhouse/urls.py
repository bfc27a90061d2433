from django.conf import settings
from django.contrib import admin
from django.urls import path

from inhouse.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

if settings.BENCH_ENDPOINTS:
    from inhouse.core.bench import insert_one_row

    urlpatterns.append(path("bench/insert", insert_one_row))
