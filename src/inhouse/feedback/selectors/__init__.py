"""The feedback app's selectors, one module per topic."""
