from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inhouse.catalog.models import Agreement, Priority, Service
from inhouse.org.models import Person, Team


class Status(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_ON_CUSTOMER = "waiting_on_customer", _("Waiting on customer")
    WAITING_ON_SUPPLIER = "waiting_on_supplier", _("Waiting on supplier")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = (
    Status.NEW,
    Status.IN_PROGRESS,
    Status.WAITING_ON_CUSTOMER,
    Status.WAITING_ON_SUPPLIER,
)


class Channel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    API = "api", _("API")
    EMAIL = "email", _("Email")
    CHAT = "chat", _("Chat")
    CLI = "cli", _("Command line")


class TeamCounter(models.Model):
    """The last reference number a team handed out; locked while taking the next."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, primary_key=True, related_name="+")
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.team_id}: {self.last_number}"


class Request(models.Model):
    reference = models.CharField(max_length=24, unique=True)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="requests")
    # The team holding the request now; a transfer changes it.
    # The foreign keys marked db_index=False lead a composite index of Meta.indexes,
    # which serves their look-ups; an index of their own would only slow each insert.
    provider_team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="requests_provided", db_index=False
    )
    agreement = models.ForeignKey(
        Agreement, null=True, blank=True, on_delete=models.SET_NULL, related_name="requests"
    )
    requester = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="requests_filed", db_index=False
    )
    # On whose behalf: the team that is the internal customer.
    # Its own index stays: SQLite cannot range-scan req_customer_open for the
    # customer's way of seeing requests ("NOT confidential" is not an equality).
    customer_team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="requests_received"
    )
    subject = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    form_answers = models.JSONField(default=dict, blank=True)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.NEW)
    assignee = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requests_assigned",
        db_index=False,
    )
    confidential = models.BooleanField(default=False)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        db_index=False,
    )
    # Free-text id of the external outcome this work serves: a deal, account or case.
    external_ref = models.CharField(max_length=200, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.PORTAL)
    watchers = models.ManyToManyField(Person, blank=True, related_name="requests_watched")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Kept in step with the clocks so queues can sort and filter without a join.
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    sla_breached = models.BooleanField(default=False)
    # A case on legal hold outlives its service's retention period; who placed it, when, why.
    legal_hold = models.BooleanField(default=False)
    legal_hold_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    legal_hold_at = models.DateTimeField(null=True, blank=True)
    legal_hold_reason = models.CharField(max_length=500, blank=True)
    # The head of the history's hash chain (``inhouse.desk.history_chain``): how many
    # events it has and the newest one's digest, saved with the events they count.
    history_length = models.PositiveIntegerField(default=0)
    history_digest = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        indexes = [
            # Ending in id keeps each status's range in (due, id) order on PostgreSQL,
            # as SQLite's implicit rowid does: the queue reads it without sorting.
            models.Index(
                fields=["provider_team", "status", "resolution_due_at", "id"], name="req_queue_due"
            ),
            models.Index(fields=["provider_team", "-id"], name="req_team_recent"),
            models.Index(fields=["requester", "-id"], name="req_requester"),
            # A customer team's colleagues see its non-confidential requests: the
            # list reads that range newest first without touching confidential rows.
            models.Index(fields=["customer_team", "confidential", "-id"], name="req_customer_open"),
            models.Index(fields=["status", "-id"], name="req_status"),
            # Keys that most requests leave empty are indexed only where they are set: a
            # new request, unassigned, with no parent and no hold, writes none of these.
            models.Index(
                fields=["assignee", "status"],
                name="req_assignee",
                condition=Q(assignee__isnull=False),
            ),
            models.Index(
                fields=["parent", "id"], name="req_children", condition=Q(parent__isnull=False)
            ),
            models.Index(
                fields=["legal_hold_by", "id"],
                name="req_legal_hold_by",
                condition=Q(legal_hold_by__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(version__gte=1), name="request_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class RequestReference(models.Model):
    """Every reference a request has carried, so an old one still finds it after a transfer."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="references")
    reference = models.CharField(max_length=24, unique=True)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.reference


class TeamHolding(models.Model):
    """A span of time during which one team held a request, for attributing waiting."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="holdings")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="holdings")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} held by {self.team_id}"


class Dependency(models.Model):
    """``blocker`` must be done before ``blocked`` can be."""

    blocker = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="blocks_links")
    blocked = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="blocked_by_links")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="dependency_unique"),
            models.CheckConstraint(
                condition=~Q(blocker=models.F("blocked")), name="dependency_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"


class Comment(models.Model):
    """A message on a request. Append-only: comments are never edited or lost."""

    # Its look-ups use comment_request (Meta.indexes), which starts with the request.
    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="comments", db_index=False
    )
    author = models.ForeignKey(
        Person, null=True, on_delete=models.SET_NULL, related_name="comments"
    )
    body = models.TextField()
    is_public = models.BooleanField(default=True)
    # Written by an agent of the team holding the request at the time.
    by_provider = models.BooleanField(default=False)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.PORTAL)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["request", "created_at"], name="comment_request")]

    def __str__(self) -> str:
        return f"Comment {self.pk} on {self.request_id}"


class Attachment(models.Model):
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="attachments")
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    uploaded_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    # As the uploader named it; shown escaped, never used as a path.
    original_name = models.CharField(max_length=255)
    stored_name = models.CharField(max_length=80, unique=True)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100, default="application/octet-stream")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    STATUS_CHANGED = "status_changed", _("Status changed")
    ASSIGNED = "assigned", _("Assigned")
    PRIORITY_CHANGED = "priority_changed", _("Priority changed")
    COMMENTED = "commented", _("Commented")
    ATTACHED = "attached", _("File attached")
    TRANSFERRED = "transferred", _("Transferred")
    DEPENDENCY_ADDED = "dependency_added", _("Dependency added")
    DEPENDENCY_REMOVED = "dependency_removed", _("Dependency removed")
    WATCHER_ADDED = "watcher_added", _("Watcher added")
    EXTERNAL_REF_CHANGED = "external_ref_changed", _("External outcome changed")
    FIRST_RESPONSE = "first_response", _("First response")
    BREACHED = "breached", _("SLA breached")
    LEGAL_HOLD_CHANGED = "legal_hold_changed", _("Legal hold changed")
    FOLLOWED_UP = "followed_up", _("Answered a follow-up")
    RATED = "rated", _("Rated by the requester")
    CLARITY_RATED = "clarity_rated", _("Clarity rated")


class RequestEvent(models.Model):
    """Append-only history: who changed what, from what to what, and when."""

    # Its look-ups use event_chain_place and event_request, which start with it.
    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    actor = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    # {"field": [old, new], ...} for changes; other facts under their own keys.
    data = models.JSONField(default=dict, blank=True)
    # Internal events (internal notes) are shown to the provider's agents only.
    is_public = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Its place in the request's hash chain (1, 2, 3, …) and its digest, which covers
    # the fields above and the previous event's digest (``inhouse.desk.history_chain``).
    sequence = models.PositiveIntegerField()
    digest = models.CharField(max_length=64)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["request", "created_at"], name="event_request"),
            models.Index(fields=["kind", "created_at"], name="event_kind"),
        ]
        constraints = [
            # Two writers can never both take a place in one chain; its index is also
            # the order ``verify-history`` reads the chains in.
            models.UniqueConstraint(fields=["request", "sequence"], name="event_chain_place"),
            models.CheckConstraint(condition=Q(sequence__gte=1), name="event_chain_sequence"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("History events are append-only and cannot be changed.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("History events are append-only and cannot be deleted.")


class IdempotencyRecord(models.Model):
    """Remembers the result of a create sent with an Idempotency-Key."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    body_digest = models.CharField(max_length=64)
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "key"], name="idempotency_unique_key")
        ]

    def __str__(self) -> str:
        return self.key


class NotificationKind(models.TextChoices):
    REPLY = "reply", _("New reply")
    ASSIGNED = "assigned", _("Assigned to you")
    WAITING_ON_YOU = "waiting_on_you", _("Waiting on you")
    STATUS = "status", _("Status changed")
    AT_RISK = "at_risk", _("Close to breaching")
    BREACHED = "breached", _("Breached")
    NEW_REQUEST = "new_request", _("New request in your team's queue")
    REQUESTER_REPLIED = "requester_replied", _("The requester replied")
    IDEA_STATUS = "idea_status", _("An idea you follow changed status")
    KUDOS_DIGEST = "kudos_digest", _("Kudos your reports received this week")
    TRAINING_REMINDER = "training_reminder", _("A training session you signed up for is soon")
    FOLLOW_UP = "follow_up", _("Follow-up after delivery")
    SURVEY_INVITATION = "survey_invitation", _("A team asks how well it serves you")
    SURVEY_REMINDER = "survey_reminder", _("A survey you have not answered closes soon")
    RATE_REQUEST = "rate_request", _("Rate a resolved request")


class NotificationChannel(models.TextChoices):
    """Where a notice reaches its reader; each person chooses per kind and channel."""

    APP = "app", _("In the app")


class Notification(models.Model):
    """A notice for one person: its kind and the facts it tells, rendered for each
    reader and channel when shown (``inhouse.desk.notifications``). Unread until
    they open it.

    Rows are written in the transaction of the change they announce, so a
    rolled-back change leaves none; delivery happens after commit.
    """

    # Its look-ups use notification_inbox (Meta.indexes), which starts with it.
    recipient = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="notifications", db_index=False
    )
    request = models.ForeignKey(
        Request, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    # The facts the kind's text is written from, e.g. {"reference": ..., "subject": ...}.
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # When the in-app channel delivered it: set once, by a delivery run after the
    # change committed.
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox"),
            # What the delivery task works through (desk/tasks.py): a new notice is
            # added at the end, a delivered one leaves.
            models.Index(
                fields=["id"],
                condition=Q(delivered_at__isnull=True),
                name="notification_undelivered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class NotificationPreference(models.Model):
    """One person's choice whether one kind of notice reaches them on one channel.

    Without a row the kind's default for that channel holds
    (``inhouse.desk.notifications.enabled_by_default``); a row is written only when
    the person chooses, so changing a default reaches everyone who never chose.
    """

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    channel = models.CharField(
        max_length=10, choices=NotificationChannel.choices, default=NotificationChannel.APP
    )
    enabled = models.BooleanField()
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # Also the index the fan-out's per-recipient look-up reads.
            models.UniqueConstraint(
                fields=["person", "kind", "channel"], name="notification_preference_unique"
            )
        ]

    def __str__(self) -> str:
        state = "on" if self.enabled else "off"
        return f"{self.kind} by {self.channel} {state} for {self.person_id}"


class CannedReply(models.Model):
    """A team's reusable reply; placeholders like {requester_name} are filled in when used."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="canned_replies")
    title = models.CharField(max_length=200)
    body = models.TextField()
    created_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["team", "title"]
        constraints = [
            models.UniqueConstraint(fields=["team", "title"], name="canned_reply_unique_title")
        ]

    def __str__(self) -> str:
        return self.title


class SavedView(models.Model):
    """A named set of queue filters an agent keeps for one of their teams."""

    owner = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="saved_views")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    # The queue's query string, e.g. "status=new&priority=high".
    query = models.CharField(max_length=1000, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "team", "name"], name="saved_view_unique_name")
        ]

    def __str__(self) -> str:
        return self.name
