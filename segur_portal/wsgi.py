import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "segur_portal.settings")
application = get_wsgi_application()


def _settle() -> None:
    """Load what every request needs (the URL patterns and the views they
    import), then move everything loaded so far out of the garbage
    collector's sight: it lives as long as the worker, and without this each
    full collection walks its ~200,000 objects again — a pause of about
    100 ms in the middle of some request (``make bench`` showed it as the
    p99 of every page; bench/profile.py measures it)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the URLconf and the views
    gc.collect()
    gc.freeze()


_settle()
