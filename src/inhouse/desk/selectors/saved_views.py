"""An agent's own saved views of a queue; nobody sees another's."""

from inhouse import policy
from inhouse.core.errors import NotFound
from inhouse.desk.models import SavedView
from inhouse.org.models import Person, Team


def saved_views_of(person: Person | policy.Viewer, team: Team) -> list[SavedView]:
    """The person's own saved views for the team, in their order; nobody sees another's."""
    viewer = policy.as_viewer(person)
    return list(SavedView.objects.filter(owner_id=viewer.person_id, team=team))


def get_saved_view_for(person: Person | policy.Viewer, team: Team, view_id: int) -> SavedView:
    """One of the person's own saved views; anyone else's is not found."""
    viewer = policy.as_viewer(person)
    view = SavedView.objects.filter(pk=view_id, owner_id=viewer.person_id, team=team).first()
    if view is None:
        raise NotFound("No such saved view.")
    return view
