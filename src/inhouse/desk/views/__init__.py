"""The desk's web pages: ``portal`` for requesters, ``workspace`` for agents."""
