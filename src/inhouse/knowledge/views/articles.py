"""The knowledge base's pages under /kb/: reading, voting, the owning team's editor,
the service page's list and the reply box's picker (the request form's suggestions come
from the search: ``inhouse.search.views.article_suggestions``).

Each view reads through the selectors (visibility applied) and changes through one
service call; an article the viewer may not read is a 404 on every URL, and so is
the editor to anyone outside the owning team. htmx gets the partial, a plain browser
the whole page or a redirect.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inhouse import policy
from inhouse.catalog.models import Service
from inhouse.catalog.selectors import get_service_for
from inhouse.core.errors import DomainError, NotFound
from inhouse.core.ids import database_id
from inhouse.knowledge.models import Article
from inhouse.knowledge.models.articles import BODY_MAX_LENGTH, TITLE_MAX_LENGTH
from inhouse.knowledge.selectors.articles import (
    articles_by_team,
    articles_for_reply_picker,
    can_edit_articles_of,
    deflections_of_article,
    get_article_for,
    get_revision,
    published_articles_of_service,
    revision_diff,
    revisions_of,
    teams_editable_by,
    vote_of,
)
from inhouse.knowledge.services import articles as knowledge
from inhouse.org.models import Team
from inhouse.pages import not_found_as_404, refused_as_404, viewer_or_404, wants_partial

QUERY_MAX_LENGTH = 200


class ArticleForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=TITLE_MAX_LENGTH)
    body = forms.CharField(
        label=gettext_lazy("Text"),
        required=False,
        max_length=BODY_MAX_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=gettext_lazy("Markdown: **bold**, lists, links, tables."),
    )
    services = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Services it helps with"),
        queryset=Service.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    # The revision the editor started from, so a colleague's save meanwhile is not lost.
    revision = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args: object, team: Team | None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["services"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        if team is not None:
            field.queryset = Service.objects.filter(provider_team=team, is_active=True).order_by(
                "name"
            )


class NewArticleForm(ArticleForm):
    team = forms.ModelChoiceField(
        label=gettext_lazy("Team"), queryset=Team.objects.none(), to_field_name="slug"
    )
    publish = forms.BooleanField(label=gettext_lazy("Publish now"), required=False)

    def __init__(self, *args: object, viewer: policy.Viewer, team: Team | None, **kwargs: object):
        super().__init__(*args, team=team, **kwargs)
        team_field = self.fields["team"]
        assert isinstance(team_field, forms.ModelChoiceField)
        team_field.queryset = teams_editable_by(viewer)
        self.order_fields(["team", "title", "body", "services", "publish"])
        # The services offered are those of the chosen team: any editable team's.
        services = self.fields["services"]
        assert isinstance(services, forms.ModelMultipleChoiceField)
        if team is None:
            services.queryset = Service.objects.filter(
                provider_team__in=team_field.queryset, is_active=True
            ).select_related("provider_team")


def _add_errors(form: forms.Form, exc: DomainError) -> None:
    for field, message in exc.fields.items():
        form.add_error(field if field in form.fields else None, message)
    if not exc.fields:
        form.add_error(None, exc.message)


def _article(viewer: policy.Viewer, slug: str) -> Article:
    with not_found_as_404():
        return get_article_for(viewer, slug)


def _editable(viewer: policy.Viewer, slug: str) -> Article:
    """The article for its team's editors; to anyone else the editor does not exist."""
    article = _article(viewer, slug)
    if not can_edit_articles_of(viewer, article.team):
        raise Http404
    return article


def _service_from_query(viewer: policy.Viewer, slug: str | None) -> Service | None:
    """A service named in the address that the viewer may ask for, or None."""
    if not slug or len(slug) > 100:
        return None
    try:
        return get_service_for(viewer, slug)
    except NotFound:
        return None


# --- reading -----------------------------------------------------------------------------


@login_required
@require_GET
def kb_index(request: HttpRequest) -> HttpResponse:
    """Every article the viewer may read, by team; ``?team=`` and ``?service=`` narrow it."""
    viewer = viewer_or_404(request)
    team_slug = request.GET.get("team", "")[:80] or None
    service = _service_from_query(viewer, request.GET.get("service"))
    grouped = articles_by_team(
        viewer, team_slug=team_slug, service_slug=service.slug if service else None
    )
    return render(
        request,
        "knowledge/articles/index.html",
        {
            "grouped": grouped,
            "team_slug": team_slug,
            "service": service,
            "can_write": teams_editable_by(viewer).exists(),
        },
    )


@login_required
@require_GET
def article_detail(request: HttpRequest, article_slug: str) -> HttpResponse:
    """One article; opened from a request form (``?from_service=``) it is noted as a
    view that may become a deflection (``docs/knowledge.md``)."""
    viewer = viewer_or_404(request)
    article = _article(viewer, article_slug)
    from_service = _service_from_query(viewer, request.GET.get("from_service"))
    if from_service is not None:
        knowledge.record_view_from_form(viewer=viewer, article=article, service=from_service)
    can_edit = can_edit_articles_of(viewer, article.team)
    return render(
        request,
        "knowledge/articles/detail.html",
        {
            "article": article,
            "from_service": from_service,
            "my_vote": vote_of(viewer.person, article),
            "can_edit": can_edit,
            "deflections": deflections_of_article(article) if can_edit else None,
        },
    )


@login_required
@require_POST
def article_vote(request: HttpRequest, article_slug: str) -> HttpResponse:
    """Answer "did this help?" (``helpful=yes|no``); answering again changes the answer."""
    viewer = viewer_or_404(request)
    article = _article(viewer, article_slug)
    answer = request.POST.get("helpful")
    if answer not in {"yes", "no"}:
        messages.error(request, _("Choose yes or no."))
    else:
        with refused_as_404():
            knowledge.vote_on_article(actor=viewer.person, article=article, helpful=answer == "yes")
    if wants_partial(request):
        article = _article(viewer, article_slug)
        return render(
            request,
            "knowledge/articles/partials/vote.html",
            {"article": article, "my_vote": vote_of(viewer.person, article), "thanked": True},
        )
    messages.success(request, _("Thank you for telling us."))
    return redirect("knowledge:article", article_slug=article_slug)


# --- the owning team's editor ----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def article_new(request: HttpRequest) -> HttpResponse:
    viewer = viewer_or_404(request)
    if not teams_editable_by(viewer).exists():
        raise Http404
    chosen = teams_editable_by(viewer).filter(slug=request.POST.get("team", "")[:80]).first()
    form = NewArticleForm(request.POST or None, viewer=viewer, team=chosen)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                with not_found_as_404():
                    article = knowledge.create_article(
                        actor=viewer.person,
                        team=data["team"],
                        title=data["title"],
                        body=data["body"],
                        services=data["services"],
                        publish=data["publish"],
                    )
            except DomainError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Saved “%(title)s”.") % {"title": article.title})
                return redirect("knowledge:article", article_slug=article.slug)
        status = 400
    return render(request, "knowledge/articles/edit.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, article_slug: str) -> HttpResponse:
    viewer = viewer_or_404(request)
    article = _editable(viewer, article_slug)
    initial = {
        "title": article.title,
        "body": article.body,
        "services": list(article.services.values_list("pk", flat=True)),
        "revision": article.revision_count,
    }
    form = ArticleForm(request.POST or None, initial=initial, team=article.team)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                with not_found_as_404():
                    knowledge.update_article(
                        actor=viewer.person,
                        article=article,
                        title=data["title"],
                        body=data["body"],
                        services=data["services"],
                        expected_revision=data["revision"],
                    )
            except DomainError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Saved “%(title)s”.") % {"title": data["title"]})
                return redirect("knowledge:article", article_slug=article.slug)
        status = 400
    return render(
        request, "knowledge/articles/edit.html", {"form": form, "article": article}, status=status
    )


@login_required
@require_POST
def article_publish(request: HttpRequest, article_slug: str) -> HttpResponse:
    return _set_published(request, article_slug, published=True)


@login_required
@require_POST
def article_unpublish(request: HttpRequest, article_slug: str) -> HttpResponse:
    return _set_published(request, article_slug, published=False)


def _set_published(request: HttpRequest, article_slug: str, *, published: bool) -> HttpResponse:
    viewer = viewer_or_404(request)
    article = _editable(viewer, article_slug)
    change = knowledge.publish_article if published else knowledge.unpublish_article
    with refused_as_404():
        change(actor=viewer.person, article=article)
    messages.success(
        request,
        _("Published. Everyone who may ask for its services sees it.")
        if published
        else _("Back to a draft: only your team sees it."),
    )
    return redirect("knowledge:article", article_slug=article_slug)


@login_required
@require_GET
def article_revisions(request: HttpRequest, article_slug: str) -> HttpResponse:
    """The revisions, newest first, and what changed between two (``?from=&to=``;
    by default the newest against the one before)."""
    viewer = viewer_or_404(request)
    article = _editable(viewer, article_slug)
    revisions = list(revisions_of(article))
    newer_number = database_id(request.GET.get("to", "")) or article.revision_count
    older_number = database_id(request.GET.get("from", "")) or max(newer_number - 1, 1)
    with not_found_as_404():
        newer = get_revision(article, newer_number)
        older = get_revision(article, older_number)
    context = {
        "article": article,
        "revisions": revisions,
        "older": older,
        "newer": newer,
        "diff": revision_diff(older, newer),
    }
    if wants_partial(request):
        return render(request, "knowledge/articles/partials/diff.html", context)
    return render(request, "knowledge/articles/revisions.html", context)


@login_required
@require_POST
def revision_restore(request: HttpRequest, article_slug: str, number: int) -> HttpResponse:
    viewer = viewer_or_404(request)
    article = _editable(viewer, article_slug)
    with refused_as_404():
        restored = knowledge.restore_revision(actor=viewer.person, article=article, number=number)
    messages.success(
        request,
        _("Revision %(old)d restored as revision %(new)d.")
        % {"old": number, "new": restored.revision_count},
    )
    return redirect("knowledge:revisions", article_slug=article_slug)


# --- the service page, the reply picker ------------------------------------------------------


@login_required
@require_GET
def service_articles(request: HttpRequest, slug: str) -> HttpResponse:
    """The service page's list of its published articles (a partial for htmx)."""
    viewer = viewer_or_404(request)
    with not_found_as_404():
        service = get_service_for(viewer, slug)
    context = {"service": service, "articles": published_articles_of_service(viewer, service)}
    if wants_partial(request):
        return render(request, "knowledge/articles/partials/service_articles.html", context)
    return render(request, "knowledge/articles/service_articles.html", context)


def _agent_or_404(request: HttpRequest) -> policy.Viewer:
    viewer = viewer_or_404(request)
    if not (viewer.is_admin or viewer.queue_team_ids):
        raise Http404
    return viewer


@login_required
@require_GET
def reply_picker(request: HttpRequest) -> HttpResponse:
    """Agents pick an article to link in a reply: its Markdown link text to copy, or
    (with htmx) inserted into the reply box."""
    viewer = _agent_or_404(request)
    text = request.GET.get("q", "")[:QUERY_MAX_LENGTH]
    found = articles_for_reply_picker(viewer, text)
    links = [(article, markdown_link(request, article)) for article in found]
    context: dict[str, object] = {"q": text, "links": links}
    if wants_partial(request):
        context["insert"] = True
        return render(request, "knowledge/articles/partials/picker_results.html", context)
    return render(request, "knowledge/articles/picker.html", context)


def markdown_link(request: HttpRequest, article: Article) -> str:
    """``[title](absolute url)``, with the brackets of the title escaped for Markdown."""
    title = article.title.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    url = request.build_absolute_uri(
        reverse("knowledge:article", kwargs={"article_slug": article.slug})
    )
    return f"[{title}]({url})"


@login_required
@require_GET
def picker_link(request: HttpRequest, article_slug: str) -> HttpResponse:
    """The Markdown link text of one published article, as plain text."""
    viewer = _agent_or_404(request)
    article = _article(viewer, article_slug)
    if not article.is_published:
        raise Http404
    return HttpResponse(markdown_link(request, article), content_type="text/plain; charset=utf-8")
