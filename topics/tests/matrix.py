"""Permission matrix rows of the topics app's URLs (see test_permission_matrix.py)."""

from core.testing import Row, members, only

ROWS = {
    "documents": Row(members(200)),
    "contacts": Row(members(200)),
}

# The SONS an editor sells: leads and admins manage them.
ROWS["editor_sons"] = Row(only(("admin", "lead", "lead2")), kwargs={"slug": "editeur-demo-lgc"})
