"""Kept only because ``desk/services/workspace.py`` still imports ``parse_queue_query`` here.

The queue's reads live in ``inhouse.desk.selectors.queue`` now; delete this module
once that import reads ``from inhouse.desk.selectors import parse_queue_query``.
"""

from inhouse.desk.selectors.queue import parse_queue_query

__all__ = ["parse_queue_query"]
