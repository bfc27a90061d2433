"""The desk's web forms: ``portal`` for requesters, ``workspace`` for agents.

They collect and shape input; the services judge it.
"""
