"""The fictional demo trust (`flask demo seed`): `trust` makes the trust, its schools, local authorities and
people; then each of `SEEDERS`, in order, adds a capability's records (calendars, providers, pupils,
placements, attendance, reviews, welfare, QA). Every name, address and number is invented (example.org)."""
from app.demo.seeders import SEEDERS  # noqa: F401
from app.demo.trust import DEMO_PASSWORD, DemoSignIn, demo_exists, seed_demo  # noqa: F401
