"""The feedback routers of /api/v1/, one module per topic, mounted in ``inhouse.api``."""
