"""LINE Login, switched on by settings, with LINE's servers mocked: nothing leaves this machine."""

from unittest import mock
from urllib.parse import parse_qs, urlparse

import pytest
from allauth.socialaccount.models import SocialAccount

from accounts.models import User

pytestmark = pytest.mark.django_db

LINE_PROVIDER = {
    "line": {
        "APPS": [{"client_id": "1650000000", "secret": "line-test-secret"}],
        "SCOPE": ["profile", "openid", "email"],
    }
}


class FakeResponse:
    def __init__(self, payload):
        self.payload = payload
        self.status_code = 200
        self.text = str(payload)
        self.headers = {"content-type": "application/json"}

    def json(self):
        return self.payload

    def raise_for_status(self):
        pass


class FakeLineSession:
    """Answers the token exchange and the ID-token verification as LINE would."""

    calls: list[str] = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def request(self, method, url, **kwargs):
        self.calls.append(url)
        if url.endswith("/oauth2/v2.1/token"):
            return FakeResponse(
                {
                    "access_token": "at",
                    "id_token": "idt",
                    "expires_in": 3600,
                    "token_type": "Bearer",
                }
            )
        if url.endswith("/oauth2/v2.1/verify"):
            return FakeResponse(
                {"sub": "U4af4980629", "name": "สมหญิง ริมหาด", "email": "somying@example.org"}
            )
        raise AssertionError(f"unexpected request to {url}")

    def post(self, url, data=None, **kwargs):
        return self.request("POST", url, data=data, **kwargs)

    def get(self, url, **kwargs):
        return self.request("GET", url, **kwargs)


def test_line_is_offered_only_when_configured(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    assert "/accounts/line/login/" not in client.get("/th/accounts/login/").content.decode()
    settings.SOCIALACCOUNT_PROVIDERS = LINE_PROVIDER
    assert "/th/accounts/line/login/" in client.get("/th/accounts/login/").content.decode()


def test_sign_up_with_line(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = LINE_PROVIDER
    response = client.post("/th/accounts/line/login/")
    assert response.status_code == 302
    authorize = urlparse(response["Location"])
    assert authorize.netloc == "access.line.me"
    state = parse_qs(authorize.query)["state"][0]

    with mock.patch(
        "allauth.socialaccount.adapter.DefaultSocialAccountAdapter.get_requests_session",
        return_value=FakeLineSession(),
    ):
        response = client.get("/th/accounts/line/login/callback/", {"code": "c0de", "state": state})
    assert response.status_code == 302
    account = SocialAccount.objects.get(provider="line", uid="U4af4980629")
    user = User.objects.get(pk=account.user_id)
    assert user.email == "somying@example.org"
    assert user.display_name == "สมหญิง ริมหาด"
    assert user.language == "th"
