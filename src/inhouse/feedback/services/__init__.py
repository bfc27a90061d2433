"""The feedback app's services, one module per topic."""
