"""Permission matrix rows of the arbitrations' pages, written from README.md's
"who may" rules: leads decide for the SONS of their task force (lead:
Médecine de ville → LGC; lead2: Hôpital → DPI, PFI), admins for all;
everyone signed in reads published decisions, records and exports."""

from core.testing import REDIRECT, Row, everyone, members, only

DECIDERS = ("admin", "lead", "lead2")
SESSION = {"slug": "temps-de-partage-2023-09-25"}


class DemoArbitrationPk:
    """The primary key of the deck's published decision on SC.DMP/UX.10,
    looked up when the URL is built (inside the test's database)."""

    def __str__(self) -> str:
        from arbitrations.models import Arbitration

        return str(Arbitration.objects.get(requirement__reference="SC.DMP/UX.10").pk)


ROWS = {
    "topic_list": Row(members(200)),
    "topic_detail": Row(members(200), kwargs={"key": "7"}),
    "requirement_list": Row(members(200)),
    "requirement_detail": Row(members(200), kwargs={"reference": "SC.SSI/IE.33"}),
    # Recording decisions: the people who decide, on a subject in their perimeter.
    "decide_requirement": Row(only(DECIDERS), kwargs={"reference": "SC.SSI/IE.33"}),
    "decide_topic": Row(only(DECIDERS), kwargs={"key": "7"}),
    "bulk_decide": Row(only(DECIDERS), kwargs={"key": "7"}),
    # UX.10's decision covers LGC, RIS, DPI, PFI: only an admin may publish it
    # (already published: nothing to do, back to the page).
    "publish_decision": Row(
        only(("admin",), REDIRECT), kwargs={"pk": DemoArbitrationPk()}, method="post"
    ),
    "session_decisions": Row(only(DECIDERS), kwargs=SESSION),
    "session_publish": Row(only(DECIDERS, REDIRECT), kwargs=SESSION, method="post"),
    # The decision record and the presentation: everyone signed in (drafts
    # only for the authority, tested per channel in test_drafts.py).
    "session_record": Row(members(200), kwargs=SESSION),
    "session_record_pdf": Row(members(200), kwargs=SESSION),
    "session_record_xlsx": Row(members(200), kwargs=SESSION),
    "session_presentation": Row(members(200), kwargs=SESSION),
    "topic_record": Row(members(200), kwargs={"key": "7"}),
    "topic_record_pdf": Row(members(200), kwargs={"key": "7"}),
    "topic_record_xlsx": Row(members(200), kwargs={"key": "7"}),
    # "Mes décisions" and its exports: every signed-in person has their own.
    "my_decisions": Row(members(200)),
    "my_decisions_seen": Row(members(REDIRECT), method="post"),
    "my_decisions_xlsx": Row(members(200)),
    "my_decisions_feed_settings": Row(members(200)),
    # The feed is read without login: the secret address is the credential.
    "my_decisions_feed": Row(everyone(404), kwargs={"token": "not-a-token"}),
}
