import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English; reverse() then gives /en/ paths too."""
    with translation.override("en"):
        yield
