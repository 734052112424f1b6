"""Helpers for the browser tests (Playwright driving Debian's Chromium)."""

from django.conf import settings
from django.test import Client


def sign_in(page, live_server, user) -> None:
    """Give the browser a signed-in session without typing a password."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def fits_the_screen(page) -> bool:
    """No sideways scrolling: the page is no wider than the phone."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
