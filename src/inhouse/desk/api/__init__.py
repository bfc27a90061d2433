"""Requests over HTTP: each endpoint parses, calls one service or selector, returns a schema.

Split by topic: ``requests`` (the collection and one request, its changes, transitions
and transfer), ``conversation`` (comments, files, history) and ``notifications`` (the
caller's own choices, mounted at ``/me``); ``_shared`` resolves payload names and shapes
answers for them. ``inhouse.api`` mounts ``router`` and ``me_router``.

Every endpoint names its ``operation_id``: they are the ids the API published before the
split (ninja would otherwise derive them from the module), and clients generated from
the OpenAPI description call them by it.
"""

from inhouse.desk.api import conversation, requests
from inhouse.desk.api.notifications import me_router

# The collection's own path is the mount point itself (``/requests``, no trailing
# slash), which only the router mounted there can hold, so that router is the
# requests'; what each request holds follows it, as the description lists them.
router = requests.router
router.add_router("", conversation.router)

__all__ = ["me_router", "router"]
