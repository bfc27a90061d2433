"""Read queries of the knowledge app, one module per topic."""
