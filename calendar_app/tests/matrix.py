"""Permission matrix rows of the calendar's URLs."""

from core.testing import Row, members

ROWS = {
    "calendar": Row(members(200)),
    "calendar_grid": Row(members(200)),
    "event_detail": Row(members(200), kwargs={"slug": "temps-de-partage-2023-09-25"}),
}
