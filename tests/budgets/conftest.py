import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english(request):
    """Assertions read English messages: URLs reverse to /en/ and services speak English.

    Browser tests choose their language themselves.
    """
    if request.node.get_closest_marker("browser"):
        yield
        return
    with translation.override("en"):
        yield
