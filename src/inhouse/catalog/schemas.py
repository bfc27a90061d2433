from ninja import Schema

from inhouse.core.schemas import TeamRef


class FormFieldOut(Schema):
    key: str
    label: str
    kind: str
    required: bool
    choices: list[str]
    help_text: str


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


class ServiceDetailOut(ServiceOut):
    form: list[FormFieldOut]
    agreement: AgreementOut | None
