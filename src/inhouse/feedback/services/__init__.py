"""Changes of feedback, one module per topic."""
