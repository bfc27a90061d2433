"""The knowledge app's API routers, one module per topic."""
