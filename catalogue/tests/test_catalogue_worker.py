"""A long import runs in a real Celery worker, with a progress bar the page
polls (htmx) while the rest of the portal stays usable (issue 5)."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from catalogue.models import CatalogueImport
from catalogue.samples import authority_workbook, generated_rows
from core.testing import celery_worker
from topics.models import Requirement

from .catalogue_helpers import dry_run


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_long_import_runs_in_a_worker_with_a_progress_bar(demo_data, client_as, settings):
    settings.CATALOGUE_IMPORT_ASYNC_ROWS = 20
    rows = generated_rows(references=40, rows=90)
    admin = client_as("admin")
    entry = dry_run(admin, authority_workbook(rows, title_rows=["Exigences"]))
    assert entry.status == CatalogueImport.Status.CHECKED
    assert entry.rows == 90
    page = admin.get(reverse("catalogue_import_detail", args=[entry.pk])).content.decode()
    assert "arrière-plan" in page  # says it will run in the background

    with celery_worker() as queue:
        settings.CELERY_TASK_DEFAULT_QUEUE = queue
        response = admin.post(reverse("catalogue_import_confirm", args=[entry.pk]))
        assert response.status_code == 302
        entry.refresh_from_db()
        assert entry.status in (CatalogueImport.Status.QUEUED, CatalogueImport.Status.RUNNING,
                                CatalogueImport.Status.DONE)  # fmt: skip
        url = reverse("catalogue_import_detail", args=[entry.pk])
        if entry.is_pending:
            # The page shows a progress bar that polls itself.
            page = admin.get(url).content.decode()
            assert "<progress" in page
            assert 'hx-trigger="every 1s"' in page
            # The portal stays usable meanwhile.
            assert admin.get("/exigences/").status_code == 200
        deadline = time.monotonic() + 90
        while True:
            poll = admin.get(url, {"suivi": "1"}, headers={"HX-Request": "true"})
            if poll.status_code == 204:
                assert poll["HX-Refresh"] == "true"
                break
            assert poll.status_code == 200
            assert "<html" not in poll.content.decode()
            assert time.monotonic() < deadline, "the import did not finish"
            time.sleep(0.5)
    entry.refresh_from_db()
    assert entry.status == CatalogueImport.Status.DONE, entry.message
    assert entry.created == 90
    assert Requirement.objects.filter(reference__contains="/BENCH.").count() == 40
    page = admin.get(reverse("catalogue_import_detail", args=[entry.pk])).content.decode()
    assert "Ce que l’import a fait" in page.replace("&#x27;", "'").replace("&rsquo;", "’")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_large_file_is_checked_in_a_worker_never_in_the_request(demo_data, client_as, settings):
    """Issue 17: the web import of a large workbook reads nothing in the
    request (gunicorn killed the worker after 55 s): the check waits for a
    Celery worker, the page shows its progress, and the portal stays usable."""
    import re

    from .catalogue_helpers import upload

    settings.CATALOGUE_IMPORT_ASYNC_BYTES = 1024  # every file of this test is "large"
    settings.CATALOGUE_IMPORT_ASYNC_ROWS = 20
    rows = generated_rows(references=40, rows=90)
    admin = client_as("admin")
    started = time.monotonic()
    response = upload(admin, authority_workbook(rows, title_rows=["Exigences"]))
    assert response.status_code == 302
    assert time.monotonic() - started < 5
    pk = int(re.search(r"/import/(\d+)/", response["Location"]).group(1))
    entry = CatalogueImport.objects.get(pk=pk)
    assert entry.status == CatalogueImport.Status.RECEIVED  # nothing read yet
    url = reverse("catalogue_import_detail", args=[pk])
    page = admin.get(url).content.decode()
    assert "Vérification en cours" in page
    assert 'hx-trigger="every 1s"' in page

    def follow(until: str) -> None:
        deadline = time.monotonic() + 90
        while True:
            poll = admin.get(url, {"suivi": "1"}, headers={"HX-Request": "true"})
            if poll.status_code == 204:
                assert poll["HX-Refresh"] == "true"
                break
            assert poll.status_code == 200
            assert "<html" not in poll.content.decode()
            assert time.monotonic() < deadline, f"no {until} in time"
            time.sleep(0.5)

    with celery_worker() as queue:
        settings.CELERY_TASK_DEFAULT_QUEUE = queue
        # The check was queued on the default queue before the worker came:
        # the sweep hands waiting records over again (as after a broker outage).
        from catalogue.importing import resume_imports

        resume_imports()
        follow("check")
        entry.refresh_from_db()
        assert entry.status == CatalogueImport.Status.CHECKED, entry.message
        assert (entry.rows, entry.created, entry.errors) == (90, 90, 0)
        assert not Requirement.objects.filter(reference__contains="/BENCH.").exists()
        response = admin.post(reverse("catalogue_import_confirm", args=[pk]), {"publish": "on"})
        assert response.status_code == 302
        follow("import")
    entry.refresh_from_db()
    assert entry.status == CatalogueImport.Status.DONE, entry.message
    assert Requirement.objects.filter(reference__contains="/BENCH.").count() == 40
