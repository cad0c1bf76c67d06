"""Several kinds of record loaded as ORM objects in one statement (issue 18): the pupil's page shows a dozen
kinds of record about one pupil, a handful of rows each; read one query a kind, it paid a round trip per kind.

Each kind is a SELECT of its own table with its own filters; `load_kinds` runs them as one UNION ALL in which a
kind's columns have their own slots (typed NULLs in the other kinds' rows) and the school's column is shared.
Each model is mapped onto the union (`aliased`), so a row gives one object of its kind (the others' primary keys
are NULL, which the ORM reads as no object) and the objects are ordinary persistent ones, in the identity map.
The shared `school_id` keeps the tenancy filter's meaning: the scoping adds `school_id = current` for each kind,
the same condition on the same column, and each kind's SELECT filters on its own school too.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Integer, cast, null, select, union_all
from sqlalchemy.orm import aliased

from app.extensions import db

SHARED = "school_id"


@dataclass(frozen=True)
class Kind:
    """One kind of record: its model, its filters, its order (column names, `-` for descending) and loader
    options built on the model as mapped onto the union (e.g. `lambda m: joinedload(m.provider)`)."""

    model: type
    where: tuple
    order: tuple[str, ...] = ("id",)
    options: tuple = field(default=())


def _slot(i: int, name: str) -> str:
    return SHARED if name == SHARED else f"k{i}_{name}"


# Each shape of request (which kinds, their filters' form, orders and options) built once per process: building
# and keying a union of a dozen kinds' columns cost SQLAlchemy 3-20 ms a view, more than the round trips it saves.
_BUILT: dict[tuple, tuple] = {}


def load_kinds(kinds: dict[str, Kind]) -> dict[str, list]:
    """Each kind's records, in its own order, read in one statement: {name: [objects]}."""
    found: dict[str, list] = {name: [] for name in kinds}
    if not kinds:
        return found
    # The filters' structure names the shape; their values (a pupil's id...) are bound at each call.
    keys = [w._generate_cache_key() for kind in kinds.values() for w in kind.where]
    closures = any(o.__closure__ for kind in kinds.values() for o in kind.options)  # a captured value: build anew
    shape = None if closures or any(k is None for k in keys) else (
        tuple((name, k.model, k.order, tuple(o.__code__ for o in k.options)) for name, k in kinds.items()),
        tuple(k.key for k in keys))
    values = [bind for k in keys for bind in k.bindparams] if shape else []
    built = _BUILT.get(shape) if shape else None
    params = None
    if built is None:
        built = (_union_query(kinds), values)
        if shape:
            _BUILT[shape] = built
    else:
        # This call's values as execution parameters, keyed by the built statement's own parameters: they take
        # precedence over the values it was built with. (Not Select.params(): its copy keeps the first cache key,
        # whose values the execution would use.)
        params = {old.key: new.effective_value for old, new in zip(built[1], values, strict=True)}
    names = list(kinds)
    for row in db.session.execute(built[0], params):
        for name, record in zip(names, row, strict=True):
            if record is not None:
                found[name].append(record)
    return found


def _union_query(kinds: dict[str, Kind]):
    specs = list(kinds.values())
    slots = [(i, column) for i, kind in enumerate(specs) for column in kind.model.__table__.columns
             if column.name != SHARED]
    shared_type = next((k.model.__table__.c[SHARED].type for k in specs if SHARED in k.model.__table__.c), Integer())
    branches = []
    for i, kind in enumerate(specs):
        table = kind.model.__table__
        columns = [table.c[SHARED].label(SHARED) if SHARED in table.c else cast(null(), shared_type).label(SHARED)]
        columns += [(column if j == i else cast(null(), column.type)).label(_slot(j, column.name))
                    for j, column in slots]
        branches.append(select(*columns).select_from(table).where(*kind.where))
    union = (union_all(*branches) if len(branches) > 1 else branches[0]).subquery("kinds")
    mapped = [aliased(kind.model, union) for kind in specs]
    # Within a kind the other kinds' slots are all NULL, so each kind's order decides among its own rows.
    order = [union.c[_slot(i, name.lstrip("-"))].desc() if name.startswith("-") else union.c[_slot(i, name)]
             for i, kind in enumerate(specs) for name in kind.order]
    options = [option(m) for m, kind in zip(mapped, specs, strict=True) for option in kind.options]
    return select(*mapped).select_from(union).options(*options).order_by(*order)
