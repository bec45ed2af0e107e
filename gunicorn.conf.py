"""gunicorn's settings for the portal. gunicorn reads this file from the
directory it starts in (README, "Production"; ``make bench`` passes it with
``-c``); command-line options (workers, bind) come on top.

Garbage collection: what a worker keeps for its whole life (Django, the
URLconf, then the compiled templates and translation catalogues of its first
requests) is moved out of the collector's sight twice — when the worker has
loaded the portal (segur_portal/wsgi.py) and after its first requests —
so that a full collection never walks it again. Without it, each full
collection paused the request it fell in by 50–100 ms: the p99 of every
page in ``make bench``.
"""

import gc

# After this many requests a worker has compiled the templates and read the
# catalogues of the pages people use.
WARM_REQUESTS = 200


def post_request(worker, req, environ, resp):
    if worker.nr == WARM_REQUESTS:
        gc.collect()
        gc.freeze()
