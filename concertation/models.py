"""The concertation's records: comments and argued feedback. Their models
live with their code (comments/models.py, feedback/models.py); Django finds
them here. The tables kept the names they had in arbitrations/ (migration
0001)."""

from .comments.models import (  # noqa: F401
    COMMENT_EDIT_WINDOW_MINUTES,
    COMMENT_MAX_LENGTH,
    COMMENT_SUBJECT_FIELDS,
    Comment,
    CommentCorrection,
    CommentReport,
    CommentRevision,
    InternalNote,
)
from .feedback.models import (  # noqa: F401
    Feedback,
    FeedbackAttachment,
    FeedbackSignature,
)
