"""The canned replies of a team, for the people who work its queue."""

from inhouse import policy
from inhouse.core.errors import NotFound
from inhouse.desk.models import CannedReply
from inhouse.org.models import Person, Team


def canned_replies_for(person: Person | policy.Viewer, team: Team) -> list[CannedReply]:
    viewer = policy.as_viewer(person)
    if not policy.works_queue(viewer, team):
        raise NotFound("No such queue.")
    return list(CannedReply.objects.filter(team=team).order_by("title"))


def get_canned_reply_for(person: Person | policy.Viewer, team: Team, reply_id: int) -> CannedReply:
    """A canned reply of a team whose queue the person works; otherwise not found."""
    viewer = policy.as_viewer(person)
    reply = CannedReply.objects.filter(team=team, pk=reply_id).first()
    if reply is None or not policy.works_queue(viewer, team):
        raise NotFound("No such canned reply.")
    return reply
