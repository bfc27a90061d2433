"""BusinessCalendar.add and .elapsed calls per second on a realistic office calendar.

Berlin office hours with a lunch break and German holidays; random starts over a
year and work between a minute and 40 business hours, as real SLA targets are.
"""

import random
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock

from inhouse.sla.businesstime import BusinessCalendar

CALLS = 200_000
HOLIDAYS = {
    date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 1), date(2026, 5, 14),
    date(2026, 5, 25), date(2026, 10, 3), date(2026, 12, 25), date(2026, 12, 26),
}  # fmt: skip


def main() -> None:
    calendar = BusinessCalendar(
        "Europe/Berlin",
        {day: [(clock(9), clock(12, 30)), (clock(13, 30), clock(17, 30))] for day in range(5)},
        HOLIDAYS,
    )
    rng = random.Random(1)
    year_start = datetime(2026, 1, 1, tzinfo=UTC)
    starts = [year_start + timedelta(minutes=rng.randrange(525_600)) for _ in range(CALLS)]
    works = [timedelta(minutes=rng.randrange(1, 2_400)) for _ in range(CALLS)]

    began = time.perf_counter()
    ends = [calendar.add(start, work) for start, work in zip(starts, works, strict=True)]
    add_rate = CALLS / (time.perf_counter() - began)

    began = time.perf_counter()
    for start, end in zip(starts, ends, strict=True):
        calendar.elapsed(start, end)
    elapsed_rate = CALLS / (time.perf_counter() - began)

    print(f"BusinessCalendar.add calls/s      {add_rate:10,.0f}   (aim: > 100,000)")
    print(f"BusinessCalendar.elapsed calls/s  {elapsed_rate:10,.0f}")


if __name__ == "__main__":
    main()
