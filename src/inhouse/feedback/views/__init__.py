"""The feedback app's views, one module per topic."""
