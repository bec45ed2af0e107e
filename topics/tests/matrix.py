"""Permission matrix rows of the topics app's URLs (see test_permission_matrix.py)."""

from core.testing import Row, members

ROWS = {
    "documents": Row(members(200)),
    "contacts": Row(members(200)),
}
