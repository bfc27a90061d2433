"""BusinessCalendar.add and .elapsed calls per second on a realistic office calendar.

Berlin office hours with a lunch break and German holidays; random starts over a
year and work between a minute and 40 business hours, as real SLA targets are.
The calendar is built once, as the per-process cache in ``inhouse.sla.calendars``
does. Each figure is the best of a few rounds over the same calls, so a busy
machine disturbs it less; computing the ends first warms the per-day cache.
"""

import random
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock

from inhouse.sla.businesstime import BusinessCalendar

CALLS = 100_000
ROUNDS = 5
MINUTES_PER_YEAR = 525_600
MAX_WORK_MINUTES = 40 * 60
GERMAN_HOLIDAYS_2026 = {
    date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 1), date(2026, 5, 14),
    date(2026, 5, 25), date(2026, 10, 3), date(2026, 12, 25), date(2026, 12, 26),
}  # fmt: skip


def main() -> None:
    calendar = BusinessCalendar(
        "Europe/Berlin",
        {day: [(clock(9), clock(12, 30)), (clock(13, 30), clock(17, 30))] for day in range(5)},
        GERMAN_HOLIDAYS_2026,
    )
    rng = random.Random(1)
    year_start = datetime(2026, 1, 1, tzinfo=UTC)
    starts = [
        year_start + timedelta(minutes=rng.randrange(MINUTES_PER_YEAR), seconds=rng.random() * 60)
        for _ in range(CALLS)
    ]
    works = [timedelta(minutes=rng.randint(1, MAX_WORK_MINUTES)) for _ in range(CALLS)]

    ends = [calendar.add(start, work) for start, work in zip(starts, works, strict=True)]
    add_seconds = elapsed_seconds = float("inf")
    for _ in range(ROUNDS):
        began = time.perf_counter()
        for start, work in zip(starts, works, strict=True):
            calendar.add(start, work)
        add_seconds = min(add_seconds, time.perf_counter() - began)

        began = time.perf_counter()
        for start, end in zip(starts, ends, strict=True):
            calendar.elapsed(start, end)
        elapsed_seconds = min(elapsed_seconds, time.perf_counter() - began)

    print(f"BusinessCalendar.add calls/s: {CALLS / add_seconds:,.0f}")
    print(f"BusinessCalendar.elapsed calls/s: {CALLS / elapsed_seconds:,.0f}")


if __name__ == "__main__":
    main()
