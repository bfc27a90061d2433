"""The knowledge tables, one module per topic; imported here so Django finds them."""
