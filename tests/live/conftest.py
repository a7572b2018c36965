"""The federation of three levels (works, district, city, congress) from the services' tests."""

from tests.federation.test_services import fed  # noqa: F401  (a fixture, used by name)
