"""Changes of feedback state, one module per topic."""
