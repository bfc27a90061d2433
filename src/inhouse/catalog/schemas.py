from ninja import Schema
from pydantic import Field

from inhouse.core.schemas import TeamRef


class FormFieldOut(Schema):
    key: str
    label: str
    kind: str
    required: bool
    choices: list[str]
    help_text: str
    min_value: float | None = Field(description="A number answer's smallest value, if limited")
    max_value: float | None = Field(description="A number answer's largest value, if limited")


class TargetOut(Schema):
    priority: str
    first_response_minutes: int
    resolution_minutes: int


class AgreementOut(Schema):
    name: str
    calendar: str
    timezone: str
    customer_team: TeamRef | None
    customer_obligations: list[str]
    targets: list[TargetOut]


class ServiceOut(Schema):
    slug: str
    name: str
    description: str
    provider_team: TeamRef
    process_category: str
    confidential: bool
    default_priority: str
    priority_from: str = Field(
        description="default, requester (asks priority) or impact_urgency (the ITIL matrix)"
    )
    offered_fields: list[str] = Field(
        description="The standard fields of POST /requests this service accepts besides "
        "service, subject, description, form_answers and parent; any other is a 400"
    )
    follow_up_cadence: list[str] = Field(
        description="When the requester is asked how it went after resolution: steps in "
        "days, weeks or months (2d, 2w, 2m); empty asks no follow-ups"
    )


class ServiceDetailOut(ServiceOut):
    form: list[FormFieldOut]
    agreement: AgreementOut | None
