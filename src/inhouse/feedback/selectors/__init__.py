"""Reads of feedback, one module per topic."""
