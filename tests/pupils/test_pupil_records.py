"""The pupil record: UPN check letter, validation naming each field with nothing half-saved, archiving."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Placement, PlacementStatus, Provider, ProviderKind, Pupil, RegistrationStatus
from app.services import pupils as service
from tenants import school_scope
from tests.helpers import school_time
from tests.pupils.conftest import make_pupil, pupil_values, valid_upn


def test_the_dfe_check_letter():
    # Worked by hand: 2*9+3*3+4*5+5*2+6*0+7*0+8*0+9*0+10*0+11*0+12*0+13*1 = 70; 70 mod 23 = 1 -> B
    assert service.upn_check_letter("?935200000001") == "B"
    assert service.upn_problem("B935200000001") is None
    assert "check letter" in service.upn_problem("C935200000001")


def test_temporary_upns_end_in_a_letter_valued_by_its_place_in_the_alphabet():
    upn = valid_upn("93520000000A")  # A is worth 0, so the letter is that of ...0000000 with 0 at the end
    assert upn[0] == service.upn_check_letter("?935200000000")
    assert service.upn_problem(upn) is None
    assert service.upn_problem(upn[:-1] + "I") is not None  # I, O and S are never used


@pytest.mark.parametrize("upn, words", [("", "Enter the UPN"), ("B93520000001", "13 characters"),
                                        ("B93520000000X1", "13 characters"), ("1935200000001", "a letter, 11 digits"),
                                        ("B9352000A0001", "a letter, 11 digits")])
def test_upn_format_problems(upn, words):
    assert words in service.upn_problem(upn)


def _count(model, school_id):
    with school_scope(school_id):
        return db.session.scalar(select(func.count(model.id)))


def test_creating_a_pupil_checks_every_field_and_saves_nothing_when_one_is_wrong(app, world):
    with school_time("2026-01-12 10:00"), school_scope(world.a.id):
        result = service.create_pupil(pupil_values(upn="X123", first_name=" ", date_of_birth=date(2027, 1, 1),
                                                   year_group=15, has_ehcp=True, sen_support=True,
                                                   social_worker_email="not-an-email"))
    assert set(result.errors) == {"upn", "first_name", "date_of_birth", "year_group", "sen_support",
                                  "social_worker_email"}
    assert "13 characters" in result.errors["upn"]
    assert "future" in result.errors["date_of_birth"] or "past" in result.errors["date_of_birth"]
    assert _count(Pupil, world.a.id) == 0
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.record_type == "Pupil")) == 0


def test_a_good_pupil_is_saved_trimmed_and_a_looked_after_child_has_a_social_worker(app, world):
    upn = valid_upn()
    with school_time("2026-01-12 10:00"), school_scope(world.a.id):
        result = service.create_pupil(pupil_values(upn=" " + upn.lower() + " ", first_name="  Robin ",
                                                   is_looked_after=True, social_worker_email="SW@Example.org"))
        assert result.ok, result.errors
        pupil = result.record
        assert (pupil.upn, pupil.first_name, pupil.has_social_worker, pupil.social_worker_email, pupil.preferred_name
                ) == (upn, "Robin", True, "sw@example.org", None)


def test_a_upn_is_unique_within_the_school_but_not_across_schools(app, world):
    upn = valid_upn()
    make_pupil(world.a.id, upn=upn)
    with school_time("2026-01-12 10:00"):
        with school_scope(world.a.id):
            assert service.create_pupil(pupil_values(upn=upn)).errors == {
                "upn": "Another pupil in this school already has this UPN."}
        with school_scope(world.b.id):
            assert service.create_pupil(pupil_values(upn=upn)).ok  # a pupil who moved school keeps the UPN


def test_editing_keeps_the_record_when_a_field_is_wrong(app, world):
    pupil = make_pupil(world.a.id, last_name="Before")
    with school_time("2026-01-12 10:00"), school_scope(world.a.id):
        pupil = service.access_pupil(pupil.id)
        result = service.update_pupil(pupil, pupil_values(upn=pupil.upn, last_name="After", year_group=None))
        assert result.errors == {"year_group": "Choose the pupil's year group."}
        db.session.rollback()
        db.session.expire_all()
        assert service.access_pupil(pupil.id).last_name == "Before"
        assert service.update_pupil(pupil, pupil_values(upn=pupil.upn, last_name="After")).ok
        assert service.access_pupil(pupil.id).last_name == "After"


def test_archiving_keeps_the_record_and_waits_for_current_placements(app, world):
    pupil = make_pupil(world.a.id)
    user = world.users["a.ap_leader"]
    with school_time("2026-01-12 10:00"), school_scope(world.a.id):
        pupil = service.access_pupil(pupil.id)
        provider = Provider(name="Fictional Farm", kind=ProviderKind.OFF_SITE,
                            registration_status=RegistrationStatus.UNREGISTERED)
        placement = Placement(school_id=world.a.id, pupil_id=pupil.id, provider=provider,
                              start_date=date(2026, 2, 2))
        db.session.add(placement)
        db.session.commit()
        assert "placement" in service.archive_pupil(pupil, user).errors["pupil"]
        placement.status = PlacementStatus.CANCELLED
        db.session.commit()
        assert service.archive_pupil(pupil, user).ok
        assert pupil.is_archived and service.list_pupils().total == 0
        assert service.list_pupils(include_archived=True).total == 1


def test_search_finds_by_any_name_or_the_upn(app, world):
    make_pupil(world.a.id, first_name="Robin", last_name="Alderson", preferred_name="Rob")
    other = make_pupil(world.a.id, first_name="Casey", last_name="Jones")
    make_pupil(world.b.id, first_name="Robin", last_name="Birchall")
    with school_scope(world.a.id):
        assert [p.last_name for p in service.list_pupils("rob").pupils] == ["Alderson"]
        assert [p.last_name for p in service.list_pupils(other.upn.lower()).pupils] == ["Jones"]
        assert service.list_pupils().total == 2
