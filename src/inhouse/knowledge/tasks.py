"""Background work of the knowledge base: thin, idempotent."""

from django_tasks import task

from inhouse.knowledge.services.articles import settle_deflections


@task()
def settle_article_deflections() -> int:
    """Count the deflections whose window has passed; the worker queues this every minute.

    Idempotent: a settled view is never read again, and a deflection is unique per
    person, article, service and day.
    """
    return settle_deflections()
