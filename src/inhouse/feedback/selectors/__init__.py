"""Reads of feedback, one module per topic; visibility of the request is the desk's."""
