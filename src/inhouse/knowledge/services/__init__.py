"""Every change of state in the knowledge app, one module per topic."""
