"""Permission matrix rows of the notifications' URLs (see test_permission_matrix.py).

Everything here is a signed-in person's own: their notifications, what they
follow, their e-mail rhythm. A notification of someone else does not exist
for you (404). The unsubscribe link works without a login, from a mail
client: its signed token is the proof, and a bad token is refused (400).
"""

from core.testing import Row, everyone, members

ROWS = {
    "notification_list": Row(members(200)),
    # No notification has this id: nobody may open it (ownership is tested in
    # test_inbox.py with a real notification of someone else).
    "notification_open": Row(members(404), kwargs={"pk": 999_999}),
    "notification_mark_read": Row(members(405), kwargs={"pk": 999_999}),  # POST only
    "notification_mark_all_read": Row(members(405)),  # POST only
    "email_preferences": Row(members(200)),
    "unsubscribe": Row(everyone(400), kwargs={"token": "not-a-token"}),
    "follow_list": Row(members(200)),
    "follow": Row(members(405)),  # POST only
    "unfollow": Row(members(405)),  # POST only
}
