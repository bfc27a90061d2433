"""The knowledge app's pages, one module per topic."""
