"""Several kinds of a pupil's records in one statement (app.services.record_kinds), the statement built once per
shape and reused with each call's values: one pupil's page must never show another's records."""
from __future__ import annotations

from app.extensions import db
from app.models import Carer, Pupil
from app.services.pupils.record import pupil_records
from tenants import school_scope
from tests.pupils.conftest import make_pupil
from tests.pupils.test_pupil_pages import _client


def with_carer(school_id: int, first_name: str) -> int:
    pupil = make_pupil(school_id, first_name=first_name)
    with school_scope(school_id):
        db.session.add(Carer(pupil_id=pupil.id, name=f"Carer of {first_name}", relationship_to_pupil="Parent"))
        db.session.commit()
    return pupil.id


def carers_of(school_id: int, pupil_id: int) -> list[str]:
    with school_scope(school_id):
        return [c.name for c in pupil_records(db.session.get(Pupil, pupil_id), with_archived=True).carers]


def test_each_pupil_read_after_another_gets_their_own_records(app, world):
    robin, blake, casey = (with_carer(world.a.id, name) for name in ("Robin", "Blake", "Casey"))
    for _ in range(2):  # the first call builds the statement; the rest reuse it with their own pupil's id
        assert carers_of(world.a.id, robin) == ["Carer of Robin"]
        assert carers_of(world.a.id, blake) == ["Carer of Blake"]
        assert carers_of(world.a.id, casey) == ["Carer of Casey"]


def test_each_pupils_page_after_another_shows_only_their_own_records(app, world):
    """The page's four reads (record, timeline, flexi, part-time), each reused for the next pupil."""
    robin, blake = (with_carer(world.a.id, name) for name in ("Robin", "Blake"))
    client = _client(app, world.users["a.ap_leader"])
    slug = world.a.slug
    for _ in range(2):
        for own, other in ((robin, "Blake"), (blake, "Robin")):
            page = client.get(f"/{slug}/pupils/{own}").get_data(as_text=True)
            assert f"Carer of {other}" not in page
        assert "Carer of Robin" in client.get(f"/{slug}/pupils/{robin}").get_data(as_text=True)
        assert "Carer of Blake" in client.get(f"/{slug}/pupils/{blake}").get_data(as_text=True)
