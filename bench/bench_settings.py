"""Inhouse's settings with the bench floors mounted next to the real endpoints."""

from inhouse.settings import *  # noqa: F403 (the whole settings module, one change)

ROOT_URLCONF = "bench_urls"
