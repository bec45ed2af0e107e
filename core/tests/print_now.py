"""Prints this process's "now" (UTC, ISO 8601): what test_clock reads from a
process started with core.testing.python_module_command."""

from datetime import UTC, datetime

if __name__ == "__main__":
    print(datetime.now(UTC).isoformat())
