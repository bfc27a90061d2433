from django.db import models


class CacheVersion(models.Model):
    """How many times a cached picture (the catalog, say) has changed.

    Every process keeps its own copy of such a picture and reads this one row per use;
    a change bumps it in the changing transaction, so every process sees the change on
    its next request and nobody keeps state another process needs.
    """

    name = models.CharField(max_length=50, primary_key=True)
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"
