"""The feedback pages, one module per topic."""
