"""The demo's ideas forum: a year of proposals to teams and to everyone, with votes,
comments and the owning teams' answers, deterministic by seed and written in bulk.

Older ideas have had time to be answered, so most of them carry a status and its
reason in their history; the newest are still new. Votes lean on a few favourites, as
on any real board. The demo logins take part: rita proposes and votes, lena (lead of the
IT Service Desk) has ideas waiting for her answer.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from inhouse.knowledge.models.ideas import (
    Idea,
    IdeaComment,
    IdeaStatus,
    IdeaStatusChange,
    IdeaVote,
)
from inhouse.org.models import Membership, MembershipRole, Person, Team

# (the owning team's slug, or "" for everyone; title; body)
IDEAS: tuple[tuple[str, str, str], ...] = (
    ("it-service-desk", "Walk-in laptop clinic on Tuesdays",
     "A fixed hour each week where anyone can bring a laptop problem instead of filing a request."),
    ("it-service-desk", "Say in the first reply who is working on it",
     "Knowing the name of the agent makes it easier to add details later."),
    ("it-service-desk", "A checklist of what to include in a software request",
     "Half of our requests bounce back because a licence type or cost centre is missing."),
    ("it-service-desk", "Loaner laptops while a repair is under way", ""),
    ("infrastructure", "Announce maintenance windows a week ahead",
     "Sales books customer demos weeks in advance; a surprise outage costs us deals."),
    ("infrastructure", "A status page for internal systems", ""),
    ("identity-access", "Request access for a whole new team in one go",
     "When a team of five joins, we file the same access request five times."),
    ("identity-access", "Remind managers before access expires", ""),
    ("people-partners", "Onboarding buddies for every new hire",
     "Pair each new colleague with someone from a neighbouring team, not their own."),
    ("people-partners", "Clearer guidance on flexible working requests", ""),
    ("recruiting", "Share interview feedback within two days",
     "Hiring managers wait, candidates wait; a two-day promise would help both."),
    ("payroll", "Explain payslip changes in plain words", ""),
    ("controlling", "Budget office hours before each quarter",
     "Teams could ask questions before the budget deadline rather than after a rejection."),
    ("controlling", "One cost-centre list everyone can look up", ""),
    ("accounts-payable", "Tell the requester when an invoice is paid",
     "Suppliers call us, not Finance; we need to know when the money left."),
    ("workplace", "Book meeting rooms with the equipment listed",
     "We keep booking rooms whose screen does not work with our laptops."),
    ("workplace", "Quiet zones on every floor", ""),
    ("security", "Visitor badges ready before the visitor arrives", ""),
    ("campaigns", "A shared calendar of campaign launches",
     "Support and Sales hear about campaigns from customers first."),
    ("events", "Invite support agents to customer events", ""),
    ("brand-design", "A self-service library of approved templates",
     "Most of our design requests are for a slide or a one-pager in the house style."),
    ("brand-design", "Agree briefs before design starts",
     "A short brief template would save a round or two of changes."),
    ("sales-emea", "Hand over customer context when a deal closes", ""),
    ("support-tier-1", "Tell product teams which questions come up most", ""),
    ("support-tier-2", "Escalation notes in one agreed format", ""),
    ("commercial-legal", "Standard clauses we may use without review",
     "Many contract reviews are for clauses Legal has approved a hundred times."),
    ("privacy-compliance", "A one-page guide to sharing customer data internally", ""),
    ("supply-chain", "Show expected delivery dates on orders", ""),
    ("logistics", "A weekly slot for shipping questions", ""),
    ("", "Say thank you more: a kudos wall for every team",
     "The teams that help us most rarely hear it."),
    ("", "Publish every team's agreement targets in one place", ""),
    ("", "A shared glossary of team names and what they do",
     "New colleagues cannot tell Controlling from Accounts Payable."),
    ("", "Meeting-free Friday afternoons", ""),
    ("", "Rotate one person a month into a neighbouring team for a day",
     "Seeing how another team works is the fastest way to ask it better."),
    ("", "Ask internal customers once a quarter how we are doing", ""),
)  # fmt: skip

COMMENTS = (
    "Yes please, this would save us hours every month.",
    "We tried something like this last year; the hard part was keeping it up to date.",
    "+1 from the whole team.",
    "Could this start as a pilot with one department?",
    "This is the number one thing new colleagues ask me about.",
    "Happy to help test it.",
    "What would it cost? Worth asking before we plan it.",
    "Related: the same problem shows up in our customer escalations.",
)

# Per status the owning team can give, what it says publicly.
REASONS = {
    IdeaStatus.UNDER_REVIEW: (
        "We are looking at how much work this would be and will come back in a few weeks.",
        "Good point. We are checking it against our plans for the quarter.",
    ),
    IdeaStatus.PLANNED: (
        "We will do this next quarter; a first version will be announced here.",
        "Planned for the spring. Thanks to everyone who voted.",
    ),
    IdeaStatus.DONE: (
        "Live now. Tell us how it works for you.",
        "Done: the first sessions are running and the details are on our team page.",
    ),
    IdeaStatus.DECLINED: (
        "We cannot staff this today; we will look again when the team grows.",
        "Another team already covers this; we have linked up with them instead.",
    ),
}


# One status change as written: who, from, to, the public reason, when.
Change = tuple[int | None, str, str, str, datetime]


@dataclass(frozen=True)
class IdeaTotals:
    ideas: int
    votes: int
    comments: int
    status_changes: int


def write_demo_ideas(*, seed: int, now: datetime) -> IdeaTotals:
    """Write the forum over the year before ``now``; the organization must be loaded."""
    rng = random.Random(f"ideas-{seed}")
    people = list(Person.objects.filter(is_active=True).order_by("id").values_list("pk", flat=True))
    if not people:
        return IdeaTotals(ideas=0, votes=0, comments=0, status_changes=0)
    teams = dict(Team.objects.values_list("slug", "pk"))
    leads = dict(
        Membership.objects.filter(role=MembershipRole.LEAD)
        .order_by("id")
        .values_list("team_id", "person_id")
    )
    admin = Person.objects.filter(is_org_admin=True).values_list("pk", flat=True).first()
    logins = dict(Person.objects.filter(user__isnull=False).values_list("user__username", "pk"))
    rita = logins.get("rita")

    ideas: list[Idea] = []
    votes: list[list[tuple[int, datetime]]] = []
    comments: list[list[tuple[int, datetime, str]]] = []
    changes: list[list[Change]] = []
    for position, (slug, title, body) in enumerate(IDEAS):
        team_id = teams.get(slug) if slug else None
        # Ideas spread over the year; the IT Service Desk's first two are recent, so
        # its lead (a demo login) finds ideas waiting for an answer.
        age_days = (
            rng.randint(2, 12)
            if slug == "it-service-desk" and position < 2
            else rng.randint(5, 360)
        )
        created = now - timedelta(days=age_days, hours=rng.randint(0, 8))
        proposer = rita if rita and position % 9 == 0 else rng.choice(people)
        # A few favourites draw most votes.
        vote_total = min(len(people) * 2 // 3, int(rng.paretovariate(1.2) * 4) - 3)
        voters = rng.sample([p for p in people if p != proposer], max(0, vote_total))
        if rita and rita != proposer and rita not in voters and position % 4 == 1:
            voters.append(rita)
        idea_votes = [(voter, created + _within(rng, age_days)) for voter in voters]
        idea_comments = [
            (rng.choice(people), created + _within(rng, age_days), rng.choice(COMMENTS))
            for _ in range(rng.choice((0, 0, 1, 1, 2, 3, 5)))
        ]
        history, status, reason, changed_at = _answers(
            rng, created=created, age_days=age_days, actor=leads.get(team_id) if team_id else admin
        )
        ideas.append(
            Idea(
                title=title,
                body=body,
                proposer_id=proposer,
                owning_team_id=team_id,
                status=status,
                status_reason=reason,
                status_changed_at=changed_at,
                vote_count=len(idea_votes),
                comment_count=len(idea_comments),
                created_at=created,
            )
        )
        votes.append(idea_votes)
        comments.append(sorted(idea_comments, key=lambda comment: comment[1]))
        changes.append(history)

    written = Idea.objects.bulk_create(ideas)
    vote_rows = IdeaVote.objects.bulk_create(
        IdeaVote(idea_id=idea.pk, person_id=person, created_at=at)
        for idea, idea_votes in zip(written, votes, strict=True)
        for person, at in idea_votes
    )
    comment_rows = IdeaComment.objects.bulk_create(
        IdeaComment(idea_id=idea.pk, author_id=author, body=text, created_at=at)
        for idea, idea_comments in zip(written, comments, strict=True)
        for author, at, text in idea_comments
    )
    change_rows = IdeaStatusChange.objects.bulk_create(
        IdeaStatusChange(
            idea_id=idea.pk,
            actor_id=actor,
            from_status=old,
            to_status=new,
            reason=reason,
            created_at=at,
        )
        for idea, history in zip(written, changes, strict=True)
        for actor, old, new, reason, at in history
    )
    return IdeaTotals(
        ideas=len(written),
        votes=len(vote_rows),
        comments=len(comment_rows),
        status_changes=len(change_rows),
    )


def _within(rng: random.Random, age_days: int) -> timedelta:
    """A moment between an idea's creation and now."""
    return timedelta(minutes=rng.randint(1, max(2, age_days * 24 * 60 - 1)))


def _answers(
    rng: random.Random, *, created: datetime, age_days: int, actor: int | None
) -> tuple[list[Change], str, str, datetime | None]:
    """The owning team's answers so far: under review first, then a verdict for older ideas."""
    if actor is None or age_days < 14 or rng.random() < 0.2:
        return [], IdeaStatus.NEW, "", None
    path = [IdeaStatus.UNDER_REVIEW]
    if age_days > 45:
        path.append(rng.choice((IdeaStatus.PLANNED, IdeaStatus.PLANNED, IdeaStatus.DECLINED)))
    if path[-1] == IdeaStatus.PLANNED and age_days > 120 and rng.random() < 0.6:
        path.append(IdeaStatus.DONE)
    history: list[Change] = []
    previous: str = IdeaStatus.NEW
    at = created
    step = timedelta(days=age_days / (len(path) + 1))
    for status in path:
        at += step
        reason = rng.choice(REASONS[status])
        history.append((actor, previous, status, reason, at))
        previous = status
    return history, previous, history[-1][3], at
