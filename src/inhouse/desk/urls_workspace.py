"""The agent workspace, mounted at /work/; its pages are still being built."""

app_name = "workspace"
urlpatterns: list = []
