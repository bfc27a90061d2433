"""The demo organization: a believable company with a year of history."""
