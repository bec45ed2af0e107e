"""Permission matrix rows of the topics' and requirements' pages."""

from core.testing import Row, members

ROWS = {
    "topic_list": Row(members(200)),
    "topic_detail": Row(members(200), kwargs={"key": "7"}),
    "requirement_list": Row(members(200)),
    "requirement_detail": Row(members(200), kwargs={"reference": "SC.SSI/IE.33"}),
}
