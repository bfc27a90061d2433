"""Knowledge's part of erasing a person (``inhouse.desk.services.erasure``).

- With ``include_text``, the ideas they proposed lose their title and description
  and the comments they wrote on ideas lose their words, each replaced by the
  desk's marker ("(erased)"; an empty description stays empty). An idea keeps its
  owning team, status, the team's public reason, its votes and its counts: the idea
  still stands for what the colleagues who voted for it wanted, and the team's answer
  is the team's. The notices about such an idea repeat its title, and lose it too.
- Articles are their team's content, not the writer's: the revisions they wrote keep
  the article's words, and their author is the person row, which the erasure has
  already pseudonymised ("Erased person 002a"), so nothing here changes them. Their
  votes on articles and the deflections counted for them hold no words and stay.
"""

from typing import Any

from django.db import models

from inhouse.desk.models import Notification
from inhouse.knowledge.models.ideas import Idea, IdeaComment
from inhouse.org.models import Person
from inhouse.search import changes as search_changes


def _their_ideas(person: Person, replacement: str) -> models.QuerySet[Idea]:
    return Idea.objects.filter(proposer=person).exclude(title=replacement)


def _their_idea_comments(person: Person, replacement: str) -> models.QuerySet[IdeaComment]:
    return IdeaComment.objects.filter(author=person).exclude(body=replacement)


class KnowledgeErasure:
    """The erasure step the knowledge app registers (see the module's docstring)."""

    def plan(self, person: Person, *, include_text: bool, replacement: str) -> dict[str, int]:
        if not include_text:
            return {}
        return {
            "ideas' titles and descriptions replaced": _their_ideas(person, replacement).count(),
            "idea comments replaced": _their_idea_comments(person, replacement).count(),
        }

    def erase(self, person: Person, *, include_text: bool, replacement: str) -> dict[str, int]:
        if not include_text:
            return {}
        ideas = list(_their_ideas(person, replacement).values_list("pk", flat=True))
        # An empty description stays empty: "(erased)" would claim there had been one.
        Idea.objects.filter(pk__in=ideas, body="").update(title=replacement)
        Idea.objects.filter(pk__in=ideas).exclude(body="").update(
            title=replacement, body=replacement
        )
        for notice in Notification.objects.filter(
            params__idea__in=ideas, params__has_key="title"
        ).only("params"):
            Notification.objects.filter(pk=notice.pk).update(
                params={**notice.params, "title": replacement}
            )
        comments = _their_idea_comments(person, replacement)
        commented = set(comments.values_list("idea_id", flat=True))
        comments_replaced = comments.update(body=replacement)
        # An idea's words in search include its comments.
        search_changes.changed_many("idea", sorted({*ideas, *commented}))
        return {
            "ideas' titles and descriptions replaced": len(ideas),
            "idea comments replaced": comments_replaced,
        }

    def index_again(self, rewritten: dict[str, list[Any]]) -> None:
        """Ideas are found by their words and their comments', articles by theirs."""
        ideas = {
            *rewritten.get("knowledge.Idea", []),
            *IdeaComment.objects.filter(
                pk__in=rewritten.get("knowledge.IdeaComment", [])
            ).values_list("idea_id", flat=True),
        }
        search_changes.changed_many("idea", sorted(ideas))
        search_changes.changed_many("article", sorted(rewritten.get("knowledge.Article", [])))
