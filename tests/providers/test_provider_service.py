"""The register's services: checks and approval (7.8), vetting (7.9), concerns and suspension, registration (7.2)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models import (
    CheckOutcome,
    CheckStatus,
    ConcernSeverity,
    Notification,
    PlacementStatus,
    ProviderKind,
    RegistrationStatus,
    RiskRating,
    Task,
)
from app.policy.provider_checks import items_for
from app.policy.provider_vetting import VettingStatus
from app.services import providers as service
from app.services.registration import placement_would_breach, trust_registration_report
from tenants import school_scope, system_scope
from tests.helpers import school_time
from tests.providers.conftest import make_provider, place


def _record_all(check, world, school, user, skip=()):
    for row in check.items:
        if row.item in skip:
            continue
        result = service.record_check_item(row, outcome=CheckOutcome.MET, not_applicable_reason=None,
                                           evidence_note="Seen", checked_on=None, uploads=[], school=school,
                                           user=user)
        assert result.ok, result.errors


def _vet(provider, world, school_key="a"):
    school, user = world.schools[school_key], world.users[f"{school_key}.ap_leader"]
    with school_scope(school.id):
        check = service.start_check(provider, school, user)
        _record_all(check, world, school, user)
        result = service.approve_risk_assessment(check, rating=RiskRating.LOW, risks=None, mitigations=None,
                                                 school=school, user=user)
        assert result.ok, result.errors
    return result.record


def test_a_check_has_one_item_per_policy_item_and_is_shared(app, world, farm):
    with school_scope(world.a.id):
        check = service.start_check(farm, world.a, world.users["a.ap_leader"])
        assert sorted(r.item for r in check.items) == sorted(i.code for i in items_for("off_site"))
    with school_scope(world.b.id):
        assert service.start_check(farm, world.b, world.users["b.ap_leader"]).id == check.id


def test_approval_is_refused_with_the_missing_items_listed(app, world, farm):
    school, user = world.a, world.users["a.ap_leader"]
    with school_scope(school.id):
        check = service.start_check(farm, school, user)
        _record_all(check, world, school, user, skip={"staff_checks_written_confirmation", "visit"})
        result = service.approve_risk_assessment(check, rating=RiskRating.LOW, risks=None, mitigations=None,
                                                 school=school, user=user)
        assert not result.ok
        assert result.missing == ["staff_checks_written_confirmation", "visit"]
        assert "Written confirmation" in result.errors["items"] and "Visit to the provider" in result.errors["items"]
        assert service.provider_status(farm).vetting is VettingStatus.NOT_VETTED
        assert check.status is CheckStatus.IN_PROGRESS


def test_a_not_met_item_blocks_approval_and_not_applicable_needs_a_reason(app, world, farm):
    school, user = world.a, world.users["a.ap_leader"]
    with school_scope(school.id):
        check = service.start_check(farm, school, user)
        _record_all(check, world, school, user)
        fire = next(r for r in check.items if r.item == "environment_fire_safety")
        refused = service.record_check_item(fire, outcome=CheckOutcome.NOT_APPLICABLE, not_applicable_reason=" ",
                                            evidence_note=None, checked_on=None, uploads=[], school=school, user=user)
        assert refused.errors == {"not_applicable_reason": "Say why this check does not apply to this provider."}
        service.record_check_item(fire, outcome=CheckOutcome.NOT_MET, not_applicable_reason=None, evidence_note="No "
                                  "fire exits marked", checked_on=None, uploads=[], school=school, user=user)
        result = service.approve_risk_assessment(check, rating=RiskRating.LOW, risks=None, mitigations=None,
                                                 school=school, user=user)
        assert result.missing == ["environment_fire_safety"]


def test_approval_vets_for_twelve_months_and_a_material_change_lapses_it(app, world, farm):
    with school_time("2026-03-09 10:00"):
        assessment = _vet(farm, world)
        status = service.provider_status(farm)
        assert status.vetting is VettingStatus.VETTED and status.vetted_until == date(2027, 3, 8)
        assert status.allows_new_placements and assessment.check.status is CheckStatus.COMPLETE
    with school_time("2027-02-20 10:00"):
        assert service.provider_status(farm).vetting is VettingStatus.EXPIRING
    with school_time("2027-03-09 10:00"):
        assert service.provider_status(farm).vetting is VettingStatus.EXPIRED
    with school_time("2026-05-01 10:00"):
        with school_scope(world.a.id):
            assert service.record_material_change(farm, "", world.a, world.users["a.ap_leader"]).errors
            service.record_material_change(farm, "New owners", world.a, world.users["a.ap_leader"])
        status = service.provider_status(farm)
        assert status.vetting is VettingStatus.LAPSED_MATERIAL_CHANGE and not status.allows_new_placements


def test_another_school_sees_the_vetting_result(app, world, farm):
    with school_time("2026-03-09 10:00"):
        _vet(farm, world, "a")
        with school_scope(world.b.id):
            [listing] = service.search_providers(world.b.id, "meadow")
            assert listing.status.vetting is VettingStatus.VETTED
            assert service.search_providers(world.b.id, status=service.StatusFilter.VETTED)
            assert not service.search_providers(world.b.id, status=service.StatusFilter.EXPIRED)


def test_a_schools_own_on_site_provision_is_not_seen_by_another_school(app, world):
    make_provider("The Hive", kind=ProviderKind.ON_SITE, owning_school_id=world.a.id,
                         registration=RegistrationStatus.OTHER_REGISTERED)
    with school_scope(world.a.id):
        assert [entry.provider.name for entry in service.search_providers(world.a.id)] == ["The Hive"]
    with school_scope(world.b.id):
        assert service.search_providers(world.b.id) == []


def test_search_by_site_postcode_and_kind(app, world, farm):
    with school_scope(world.a.id):
        service.add_site(farm, "Main yard", "Long Lane, Testville", "te1 2st")
        make_provider("Online Tutors Ltd", kind=ProviderKind.ONLINE_ONLY)
        assert [e.provider.name for e in service.search_providers(world.a.id, "TE1 2")] == ["Meadow Farm Learning"]
        assert [e.provider.name for e in service.search_providers(world.a.id, kind=ProviderKind.ONLINE_ONLY)] \
            == ["Online Tutors Ltd"]


def test_a_duplicate_name_and_a_missing_urn_are_refused(app, world, farm):
    details = service.ProviderDetails(name="meadow farm learning", kind=ProviderKind.OFF_SITE,
                                      registration_status=RegistrationStatus.REGISTERED_INDEPENDENT_SCHOOL)
    with school_scope(world.a.id):
        result = service.create_provider(details, world.a, world.users["a.ap_leader"])
    assert set(result.errors) == {"name", "ofsted_urn"}


# --- concerns --------------------------------------------------------------------------------------------------


def test_a_concern_is_seen_by_schools_using_the_provider_and_the_trust(app, world, farm):
    place(world.b.id, farm.id, status=PlacementStatus.PLANNED)
    with school_scope(world.a.id):
        result = service.raise_concern(farm, world.a, world.users["a.dsl"], "safeguarding", ConcernSeverity.HIGH,
                                       "Pupils left unsupervised at lunchtime")
        assert result.ok and result.schools_told == [world.b.id]
        assert [c.details for c in service.concerns_visible_to(farm, world.a.id)] == \
            ["Pupils left unsupervised at lunchtime"]
        [task] = db.session.scalars(select(Task)).all()
        assert task.assigned_role.value == "dsl" and task.urgent and "safeguarding concern" in task.title
    with school_scope(world.b.id):
        assert len(service.concerns_visible_to(farm, world.b.id)) == 1  # B has a planned placement there
    with system_scope("test"):
        # Cedar does not use the provider: it sees the count on the status, not the concern.
        assert service.concerns_visible_to(farm, world.schools["c"].id) == []
        assert service.provider_status(farm).open_concerns == 1
        to = {n.recipient_email for n in db.session.scalars(select(Notification))}
    assert "trust_safeguarding_lead@trust.example.org" in to
    assert {"b.ap_leader@test.example.org", "b.dsl@test.example.org"} <= to
    assert not any(e.startswith("c.") for e in to)


def test_a_concern_needs_category_severity_and_details(app, world, farm):
    with school_scope(world.a.id):
        result = service.raise_concern(farm, world.a, world.users["a.dsl"], "gossip", None, "  ")
    assert set(result.errors) == {"category", "severity", "details"}


# --- suspension ------------------------------------------------------------------------------------------------


def test_suspension_tells_only_schools_with_active_placements(app, world, farm):
    place(world.a.id, farm.id, status=PlacementStatus.ACTIVE)
    place(world.a.id, farm.id, status=PlacementStatus.ACTIVE)
    place(world.b.id, farm.id, status=PlacementStatus.PLANNED)
    with school_scope(world.a.id):
        result = service.suspend_provider(farm, world.users["a.ap_leader"], "Safeguarding investigation",
                                          school=world.a)
    assert result.ok and result.schools_told == [world.a.id]
    with system_scope("test"):
        notes = list(db.session.scalars(select(Notification).where(Notification.template == "provider_suspended")))
        assert {n.recipient_email for n in notes} == {"a.ap_leader@test.example.org", "a.dsl@test.example.org",
                                                      "shared.ap_leader@test.example.org"}  # leads A and C
        assert all(n.urgent and n.school_id == world.a.id for n in notes)
        [task] = db.session.scalars(select(Task)).all()
        assert task.school_id == world.a.id and task.urgent and "2 active placements" in task.title
        status = service.provider_status(farm)
    assert status.vetting is VettingStatus.SUSPENDED and not status.allows_new_placements
    assert "The provider is suspended." in status.blocking_reasons


def test_a_trust_role_can_suspend_and_twice_is_refused(app, world, farm):
    place(world.b.id, farm.id)
    lead = world.users["trust.trust_safeguarding_lead"]
    assert service.suspend_provider(farm, lead, "").errors == {"reason": "Say why the provider is suspended."}
    assert service.suspend_provider(farm, lead, "Closed by the LA").schools_told == [world.b.id]
    assert service.suspend_provider(farm, lead, "Again").errors


# --- registration across the trust (7.2) -----------------------------------------------------------------------


def test_the_trust_report_counts_full_time_pupils_across_every_school(app, world, farm):
    with school_time("2026-03-09 10:00"):
        for school in (world.a, world.a, world.b, world.b):
            place(school.id, farm.id, hours_a_day=4)  # 20 hours a week: full-time
        place(world.b.id, farm.id, hours_a_day=3)  # 15 hours: not full-time
        place(world.b.id, farm.id, hours_a_day=5, dob=date(2005, 1, 1))  # past compulsory school age
        registered = make_provider("Registered School", registration=RegistrationStatus.REGISTERED_INDEPENDENT_SCHOOL)
        place(world.a.id, registered.id, hours_a_day=6)
        [row] = trust_registration_report(world.users["trust.trust_send_lead"])
        assert row.provider_name == "Meadow Farm Learning"
        assert row.assessment.full_time_count == 4 and row.assessment.at_or_near_threshold
        assert not row.assessment.must_report


def test_the_trust_report_is_for_trust_roles_only(app, world):
    import pytest

    with pytest.raises(PermissionError):
        trust_registration_report(world.users["a.ap_leader"])


def test_a_placement_that_would_make_the_fifth_full_time_pupil_is_refused(app, world, farm):
    with school_time("2026-03-09 10:00"):
        for school in (world.a, world.a, world.b, world.b):
            place(school.id, farm.id, hours_a_day=4)
        part_time = place(world.a.id, farm.id, hours_a_day=2)
        with school_scope(world.a.id):
            pupil = part_time.pupil
            # The pupil's 10 hours there plus 10 more: 20, full-time, the fifth.
            verdict = placement_would_breach(farm.id, pupil, 10)
            assert verdict.must_report and verdict.full_time_count == 5
            # Editing that very placement to 18 hours: not counted twice, and 18 is not full-time.
            assert not placement_would_breach(farm.id, pupil, 18, exclude_placement_id=part_time.id).must_report


def test_one_full_time_looked_after_pupil_is_a_breach_and_registered_providers_are_exempt(app, world, farm):
    with school_time("2026-03-09 10:00"):
        looked_after = place(world.b.id, farm.id, hours_a_day=4, looked_after=True, status=PlacementStatus.PLANNED)
        with school_scope(world.b.id):
            pupil = looked_after.pupil
            assert placement_would_breach(farm.id, pupil, 20, exclude_placement_id=looked_after.id).one_pupil_breach
        college = make_provider("Testville College", registration=RegistrationStatus.OTHER_REGISTERED)
        with school_scope(world.b.id):
            assert placement_would_breach(college.id, pupil, 30) is None
        with system_scope("test"):
            status = service.provider_status(farm)
        assert status.must_be_reported and not status.allows_new_placements
        assert "Registration risk: to be reported" in [b.label for b in status.badges]
