"""Pupils in two schools of the test world, with valid UPNs (the DfE check letter worked out)."""
from __future__ import annotations

import itertools
from datetime import date

import pytest

from app.extensions import db
from app.models import Pupil
from app.services.pupils import upn_check_letter
from tenants import school_scope

_serial = itertools.count(1)


def valid_upn(digits: str | None = None) -> str:
    """A UPN whose check letter is right: 12 characters after it (the last may be a letter)."""
    body = digits or f"93520{next(_serial):07d}"
    return upn_check_letter("?" + body) + body


def pupil_values(**changes) -> dict:
    values = dict(upn=valid_upn(), first_name="Robin", last_name="Example", preferred_name="",
                  date_of_birth=date(2012, 5, 17), year_group=9, has_ehcp=False, sen_support=False,
                  is_looked_after=False, has_social_worker=False, social_worker_name="", social_worker_email="",
                  social_worker_phone="", fsm_eligible=False, medical_needs="")
    values.update(changes)
    return values


def make_pupil(school_id: int, **changes) -> Pupil:
    with school_scope(school_id):
        values = pupil_values(**changes)
        pupil = Pupil(**{k: (v or None) if isinstance(v, str) else v for k, v in values.items()})
        db.session.add(pupil)
        db.session.commit()
        db.session.refresh(pupil)
        db.session.expunge(pupil)
    return pupil


@pytest.fixture
def pupils(world):
    """Robin in school A; Blake (EHCP) in school B."""
    return {"a": make_pupil(world.a.id, first_name="Robin", last_name="Alderson"),
            "b": make_pupil(world.b.id, first_name="Blake", last_name="Birchall", has_ehcp=True, year_group=5,
                            date_of_birth=date(2016, 3, 2))}
