"""The caller's own notification choices over HTTP, mounted at ``/me``."""

from ninja import Router, Schema
from pydantic import Field, StrictBool

from inhouse import policy
from inhouse.core.schemas import StrictSchema
from inhouse.desk.api._shared import READ_ERRORS, WRITE_ERRORS
from inhouse.desk.models import NotificationChannel
from inhouse.desk.notifications import preferences_of
from inhouse.desk.services.notifications import set_notification_preferences
from inhouse.org.auth import CallerRequest

me_router = Router(tags=["notifications"])

# More than there are kinds, so a full set always fits and a flood does not.
MAX_CHOICES_PER_CHANNEL = 50


class NotificationKindOut(Schema):
    kind: str
    label: str
    description: str = Field(description="When a notice of this kind is sent")
    for_providers: bool = Field(
        description="About the queues of teams you work in, rather than requests you asked for"
    )
    defaults: dict[str, bool] = Field(description="Per channel: on unless you choose otherwise")


class NotificationPreferencesOut(Schema):
    app: dict[str, bool] = Field(description="Per kind you can be sent: whether it reaches you")
    kinds: list[NotificationKindOut]


class NotificationPreferencesIn(StrictSchema):
    app: dict[str, StrictBool] = Field(
        default_factory=dict,
        max_length=MAX_CHOICES_PER_CHANNEL,
        description="Per kind: true to receive it in the app, false not to; kinds left out "
        "keep their setting",
    )


def _preferences_out(viewer: policy.Viewer) -> NotificationPreferencesOut:
    choices = preferences_of(viewer)
    return NotificationPreferencesOut(
        app={choice.kind: choice.enabled[NotificationChannel.APP] for choice in choices},
        kinds=[
            NotificationKindOut(
                kind=choice.kind,
                label=choice.label,
                description=choice.explanation,
                for_providers=choice.for_providers,
                defaults=choice.defaults,
            )
            for choice in choices
        ],
    )


@me_router.get(
    "/notification-preferences",
    response={200: NotificationPreferencesOut, **READ_ERRORS},
    operation_id="inhouse_desk_api_notification_preferences",
)
def notification_preferences(request: CallerRequest) -> NotificationPreferencesOut:
    """Which kinds of notice reach you, per channel (today: ``app``, the in-app inbox).

    Everyone gets the kinds about requests they asked for or watch; agents and leads
    also those about their teams' queues. A kind you never chose follows its default.
    """
    return _preferences_out(policy.viewer_for(request.auth))


@me_router.put(
    "/notification-preferences",
    response={200: NotificationPreferencesOut, **WRITE_ERRORS},
    operation_id="inhouse_desk_api_choose_notification_preferences",
)
def choose_notification_preferences(
    request: CallerRequest, payload: NotificationPreferencesIn
) -> NotificationPreferencesOut:
    """Choose kinds: ``{"app": {"new_request": false}}``. Kinds left out keep their setting;
    a kind you cannot be sent, or an unknown one, is a 400 naming it as ``app.<kind>``."""
    set_notification_preferences(actor=request.auth, choices={NotificationChannel.APP: payload.app})
    return _preferences_out(policy.viewer_for(request.auth))
