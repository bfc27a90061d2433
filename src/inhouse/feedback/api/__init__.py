"""The feedback app's api, one module per topic."""
