"""The demo register: one provider in each state the pages show, all fictional."""
from __future__ import annotations

from sqlalchemy import select

from app.demo import seed_demo
from app.extensions import db
from app.models import Provider
from app.policy.provider_vetting import VettingStatus
from app.services.providers import statuses_for
from tenants import system_scope


def test_the_demo_register_has_a_provider_in_each_state(app):
    seed_demo()
    with system_scope("test"):
        providers = {p.name: p for p in db.session.scalars(select(Provider))}
        statuses = {name: s.vetting for name, s in
                    zip(providers, statuses_for(list(providers.values())).values(), strict=True)}
        assert statuses == {
            "Larkspur House School": VettingStatus.VETTED,
            "Hawthorn Farm Learning": VettingStatus.VETTED,
            "Brightpath Online Tutoring": VettingStatus.VETTED,
            "Kestrel Motor Skills": VettingStatus.EXPIRING,
            "Riverside Outdoor Centre": VettingStatus.SUSPENDED,
        }
        assert "no appropriate alternative" in providers["Brightpath Online Tutoring"].notes
        for provider in providers.values():
            assert provider.contacts and all(c.email.endswith(".example.org") for c in provider.contacts)
            assert provider.sites or provider.kind == "online_only"
