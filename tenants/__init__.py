"""The tenancy kernel: which school a request or job acts for, and the scoping of every tenant-owned query.

- `TenantScopedMixin` marks a model as owned by a school (it carries `school_id`); `SharedOrSchoolOwnedMixin`
  one shared by the trust or owned by one school (a school's own on-site provider), seen only by that school.
- `school_scope(id)`, `trust_scope(actor, reason)` and `system_scope(reason)` set who we act for.
- `install_scoping(session)` filters every ORM query on tenant-owned models to the current school and
  refuses to run one when no scope is set (fail closed).
"""
from tenants.context import (  # noqa: F401
    Scope,
    ScopeKind,
    TenantScopeError,
    current_school_id,
    current_scope,
    require_school_id,
    school_scope,
    system_scope,
    trust_scope,
)
from tenants.scoping import SharedOrSchoolOwnedMixin, TenantScopedMixin, install_scoping  # noqa: F401
