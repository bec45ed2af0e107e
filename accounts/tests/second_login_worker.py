"""A second process for test_lockout, as a second gunicorn worker would be:
five wrong passwords for editor2@ against the test's database (run with
``python -m``, by core.testing.python_module_command)."""

import django

if __name__ == "__main__":
    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host name
    client = Client()
    for _ in range(5):
        response = client.post(
            "/compte/login/",
            {"login": "editor2@demo.example", "password": "nope"},
            REMOTE_ADDR="192.0.2.99",
        )
        print(response.status_code)
