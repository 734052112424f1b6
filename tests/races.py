"""Requests sent at the same instant, for the tests that prove one vote per person on PostgreSQL."""

import threading

from django.db import connection
from django.test import Client


def race(requests: list[tuple]) -> list[int]:
    """POST every (user, path, data) at once, each from its own thread, client and connection."""
    barrier = threading.Barrier(len(requests))
    statuses: list[int] = []

    def send(user, path, data):
        client = Client()
        client.force_login(user)
        barrier.wait()
        try:
            statuses.append(client.post(path, data).status_code)
        except Exception:
            # The test client re-raises a view's exception; for a person that is a 500.
            statuses.append(500)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses
