"""The notification inbox: a person's notices, read one by one or all at once; and
the settings page where they choose which kinds reach them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inhouse import policy
from inhouse.core.errors import InvalidInput
from inhouse.desk.models import Notification, NotificationChannel
from inhouse.desk.notifications import kinds_for, preferences_of
from inhouse.desk.notifications import render as render_notifications
from inhouse.desk.services.notifications import mark_read, set_notification_preferences
from inhouse.org.models import Person
from inhouse.pages import viewer_or_404, wants_partial

NOTIFICATIONS_PER_PAGE = 30


def _notifications_of(person: Person) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=person).select_related("request")


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    viewer = viewer_or_404(request)
    paginator = Paginator(_notifications_of(viewer.person), NOTIFICATIONS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    notices = render_notifications(page.object_list, reader=viewer)
    return render(request, "web/notifications.html", {"page": page, "notices": notices})


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    viewer = viewer_or_404(request)
    mark_read(recipient=viewer.person, notification_ids=[notification_id])
    notification = _notifications_of(viewer.person).filter(pk=notification_id).first()
    if notification is None:
        raise Http404
    if wants_partial(request):
        # The row in place, plus the bell in the header (out of band).
        return render(
            request,
            "web/partials/notification_read.html",
            {"notice": render_notifications([notification], reader=viewer)[0]},
        )
    return redirect("notifications")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    viewer = viewer_or_404(request)
    count = mark_read(recipient=viewer.person)
    messages.success(
        request,
        _("Marked %(count)d notifications as read.") % {"count": count}
        if count != 1
        else _("Marked 1 notification as read."),
    )
    return redirect("notifications")


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    """Which kinds reach the viewer in the app: a checkbox for each kind they can be
    sent. Posting the form sets every kind shown: ticked on, unticked off."""
    viewer = viewer_or_404(request)
    if request.method == "POST":
        ticked = set(request.POST.getlist(NotificationChannel.APP))
        # A ticked value the page never offered is passed on, for the service to refuse.
        choices = {kind: kind in ticked for kind in {*kinds_for(viewer), *ticked}}
        try:
            set_notification_preferences(
                actor=viewer.person, choices={NotificationChannel.APP: choices}
            )
        except InvalidInput as exc:
            return _settings_page(request, viewer, errors=exc.fields or {}, status=400)
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notification-settings")
    return _settings_page(request, viewer)


def _settings_page(
    request: HttpRequest,
    viewer: policy.Viewer,
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    channel = NotificationChannel.APP
    # Each kind with whether its box is ticked on this page's channel.
    choices = [(choice, choice.enabled[channel]) for choice in preferences_of(viewer)]
    return render(
        request,
        "web/notification_settings.html",
        {
            "requester_choices": [row for row in choices if not row[0].for_providers],
            "provider_choices": [row for row in choices if row[0].for_providers],
            "channel": channel,
            "errors": errors or {},
        },
        status=status,
    )
