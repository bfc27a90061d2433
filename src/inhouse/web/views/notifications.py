"""The notification inbox: a person's notices, read one by one or all at once."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from inhouse.desk.models import Notification
from inhouse.desk.notifications import render as render_notifications
from inhouse.desk.services.notifications import mark_read
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
    notices = render_notifications(page.object_list, reader=viewer.person)
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
            {"notice": render_notifications([notification], reader=viewer.person)[0]},
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
