"""Permission matrix rows of the calendar's URLs (README.md, "Roles"):

- every signed-in person reads the calendar, events, documents, answers, and
  manages their own calendar address;
- leads and admins create, edit and cancel events, manage agendas and
  documents, answer questions;
- editors and federation representatives (participants) register their
  organisation and ask or support questions; the authority does not;
- the iCalendar feeds are read by calendar applications without a login:
  the secret in the address is the only key (an unknown one: 404).
"""

from core.testing import REDIRECT, Row, everyone, members, only

SESSION = {"slug": "temps-de-partage-2023-09-25"}
WORKSHOP = {"slug": "atelier-n1-n3-2023-10-03"}
AUTHORITY = ("admin", "lead", "lead2")
PARTICIPANTS = ("federation", "federation2", "editor", "editor2", "outsider")
MISSING = 999_999_999  # no such document or question

ROWS = {
    "calendar": Row(members(200)),
    "calendar_grid": Row(members(200)),
    "calendar_month": Row(members(200), query="?mois=2023-10"),
    "event_detail": Row(members(200), kwargs=SESSION),
    "event_ics": Row(members(200), kwargs=SESSION),
    "event_history": Row(members(200), kwargs=SESSION),
    "question_search": Row(members(200), query="?q=antivirus"),
    "calendar_feeds": Row(members(200)),
    "calendar_feed_renew": Row(members(REDIRECT), method="post"),
    "calendar_feed_revoke": Row(members(REDIRECT), method="post"),
    "calendar_feed": Row(everyone(404), kwargs={"token": "not-a-token"}),
    "calendar_topic_feed": Row(everyone(404), kwargs={"token": "not-a-token", "key": "1"}),
    # Leads and admins
    "event_create": Row(only(AUTHORITY)),
    "event_edit": Row(only(AUTHORITY), kwargs=SESSION),
    "event_cancel": Row(only(AUTHORITY), kwargs=SESSION),
    # Not cancelled: refused with a message, back to the event.
    "event_reinstate": Row(only(AUTHORITY, REDIRECT), kwargs=SESSION, method="post"),
    # An empty form: the edit page again, with the error.
    "event_agenda": Row(only(AUTHORITY), kwargs=SESSION, method="post"),
    "document_upload": Row(only(AUTHORITY), kwargs=SESSION, method="post"),
    "document_delete": Row(only(AUTHORITY, 404), kwargs={**SESSION, "pk": MISSING}, method="post"),
    "document_download": Row(members(404), kwargs={**SESSION, "pk": MISSING}),
    "question_answer": Row(only(AUTHORITY, 404), kwargs={"pk": MISSING}),
    # Participants. The demo's workshop is over (the test runs after 2023):
    # refused with a message, back to the event.
    "event_register": Row(only(PARTICIPANTS, REDIRECT), kwargs=WORKSHOP, method="post"),
    "event_unregister": Row(only(PARTICIPANTS, REDIRECT), kwargs=WORKSHOP, method="post"),
    "question_ask": Row(only(PARTICIPANTS, REDIRECT), kwargs=SESSION, method="post"),
    "question_vote": Row(only(PARTICIPANTS, 404), kwargs={"pk": MISSING}, method="post"),
}
