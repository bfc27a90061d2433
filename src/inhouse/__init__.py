"""Inhouse: internal service management where every team is a supplier and a customer."""
