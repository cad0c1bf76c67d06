"""The one resolver: /<school_slug>/ names the school. A slug that is also an address of the app itself would
hide the school's pages (or the app's), so the trustee cannot give a school one."""
from __future__ import annotations

import pytest
from flask import url_for
from sqlalchemy import func, select

from app.extensions import db
from app.models import School
from tenants.web import school_slug_problem
from tests.helpers import fresh_client, post_form, sign_in


@pytest.mark.parametrize("slug", ["trust", "admin", "api", "account", "sign-in", "sign-out", "health", "static"])
def test_a_slug_that_is_an_app_address_is_refused(app, slug):
    assert "already an address of AP Hub" in school_slug_problem(slug, app.url_map)


@pytest.mark.parametrize("slug", ["Ashbrook", "ash brook", "ash--brook", "-ash", "ash/brook", ""])
def test_a_slug_must_be_a_plain_lower_case_word(app, slug):
    assert "lower-case letters" in school_slug_problem(slug, app.url_map)


@pytest.mark.parametrize("slug", ["ashbrook-infant", "hollin", "st-marys-2"])
def test_ordinary_slugs_are_fine(app, slug):
    assert school_slug_problem(slug, app.url_map) is None


def _new_school_form(world, slug: str) -> dict:
    return {"trust": str(world.trust.id), "name": "Dunmore School", "slug": slug, "urn": "870001",
            "phase": "secondary", "local_authority": str(world.la.id), "address": "",
            "attendance_cutoff_minutes": "30", "is_active": "y"}


def test_the_trustee_cannot_give_a_school_an_app_address(app, world):
    client = fresh_client(app)
    sign_in(client, world.users["trust.designated_trustee"])
    with app.test_request_context():
        create_url = url_for("admin_school.create_view")
    refused = post_form(client, create_url, _new_school_form(world, "trust"))
    assert refused.status_code == 200 and "already an address of AP Hub itself" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(School).where(School.name == "Dunmore School")) == 0
    created = post_form(client, create_url, _new_school_form(world, "dunmore"))
    assert created.status_code == 302
    assert db.session.scalar(select(School.slug).where(School.name == "Dunmore School")) == "dunmore"
