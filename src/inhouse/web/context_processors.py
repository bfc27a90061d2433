"""What the shared layout needs on every page: who is looking, and their unread notices."""

from typing import Any

from django.http import HttpRequest

from inhouse.desk.models import Notification
from inhouse.pages import current_viewer


def navigation(request: HttpRequest) -> dict[str, Any]:
    """``person``, ``is_agent``, ``is_lead`` and ``unread_notifications`` for the header."""
    viewer = current_viewer(request)
    if viewer is None:
        return {"person": None, "is_agent": False, "is_lead": False, "unread_notifications": 0}
    return {
        "person": viewer.person,
        "is_agent": bool(viewer.queue_team_ids),
        "is_lead": bool(viewer.lead_team_ids),
        "unread_notifications": Notification.objects.filter(
            recipient=viewer.person, read_at__isnull=True
        ).count(),
    }
