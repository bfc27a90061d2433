"""The feedback API, one router per topic."""
