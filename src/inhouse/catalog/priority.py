"""A new request's priority: where it comes from, and the ITIL impact × urgency matrix.

A service says where the priority of its new requests comes from
(``Service.priority_from``): its default priority, the requester's choice, or
the requester's impact and urgency. Impact is how much of the organization is
held up, urgency how soon that hurts; ITIL combines the two in this matrix,
whose five ITIL levels (1 = critical … 5 = planning) map to the four catalog
priorities (4 and 5 both become low)::

                      urgency high   urgency medium   urgency low
    impact high       urgent (1)     high (2)         normal (3)
    impact medium     high (2)       normal (3)       low (4)
    impact low        normal (3)     low (4)          low (5)

Agents may change a request's priority afterwards, whichever way it was set.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from inhouse.catalog.models import Priority, PriorityFrom, Service
from inhouse.core.errors import InvalidInput


class Impact(models.TextChoices):
    HIGH = "high", _("High: a whole team or more cannot work")
    MEDIUM = "medium", _("Medium: several people are held up")
    LOW = "low", _("Low: only I am affected")


class Urgency(models.TextChoices):
    HIGH = "high", _("High: work has stopped, or a deadline is today")
    MEDIUM = "medium", _("Medium: work goes on, slowly")
    LOW = "low", _("Low: it can wait a few days")


_LEVEL_RANK = {"high": 0, "medium": 1, "low": 2}
# The ITIL level (impact rank + urgency rank, 0 = critical … 4 = planning) to a priority.
_PRIORITY_BY_ITIL_LEVEL = (
    Priority.URGENT,
    Priority.HIGH,
    Priority.NORMAL,
    Priority.LOW,
    Priority.LOW,
)


def priority_for(impact: Impact, urgency: Urgency) -> Priority:
    """The matrix above: the priority ITIL gives this impact and urgency."""
    return _PRIORITY_BY_ITIL_LEVEL[_LEVEL_RANK[impact] + _LEVEL_RANK[urgency]]


def _missing_or_unknown(value: str | None, levels: list[str], missing: str) -> str | None:
    """The error for an impact or urgency answer, if any."""
    if value is None or value == "":
        return missing
    if value not in levels:
        return "Choose one of: " + ", ".join(levels) + "."
    return None


def initial_priority(
    service: Service, *, chosen: str | None, impact: str | None, urgency: str | None
) -> str:
    """The priority a new request starts with, by the service's rule.

    The caller has refused the questions the service does not ask (see
    ``Service.offered_fields``) and checked ``chosen`` is a priority. A service that
    asks impact and urgency needs both; a requester who may choose the priority but
    does not gets the service's default.
    """
    rule = PriorityFrom(service.priority_from)
    if rule == PriorityFrom.IMPACT_URGENCY:
        errors = {
            key: error
            for key, error in (
                ("impact", _missing_or_unknown(impact, Impact.values, "Say who is held up.")),
                ("urgency", _missing_or_unknown(urgency, Urgency.values, "Say how soon it hurts.")),
            )
            if error
        }
        if errors or impact is None or urgency is None:
            raise InvalidInput("Say how big and how urgent the problem is.", fields=errors)
        return priority_for(Impact(impact), Urgency(urgency))
    if rule == PriorityFrom.REQUESTER and chosen:
        return chosen
    return service.default_priority
