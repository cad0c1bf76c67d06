"""The kernel's second criterion: a record shared by the trust or owned by one school (a school's own on-site
provider) is seen, in a school's scope, only by that school; the trust scope sees them all."""
from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import Provider, ProviderKind, RegistrationStatus
from tenants import school_scope, trust_scope
from tests.providers.conftest import make_provider


def _names() -> list[str]:
    return sorted(db.session.scalars(select(Provider.name)))


def test_another_schools_own_provision_is_not_found_in_a_schools_scope(app, world):
    make_provider("Shared Farm")
    hive = make_provider("The Hive", kind=ProviderKind.ON_SITE, owning_school_id=world.a.id,
                         registration=RegistrationStatus.OTHER_REGISTERED)
    hive_id = hive.id
    db.session.expire_all()
    with school_scope(world.a.id):
        assert _names() == ["Shared Farm", "The Hive"]
    db.session.expire_all()
    with school_scope(world.b.id):
        assert _names() == ["Shared Farm"]
        assert db.session.get(Provider, hive_id) is None  # a refresh of the expired object is filtered too
        assert db.session.scalar(select(func.count()).select_from(Provider)) == 1
    with trust_scope(world.users["trust.designated_trustee"].id, "test: the whole register"):
        assert _names() == ["Shared Farm", "The Hive"]
