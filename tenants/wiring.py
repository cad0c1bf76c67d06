"""What the kernel needs from the app, handed to it at start-up, so the kernel imports nothing of `app/`.

`create_app` calls `install(KernelHooks(...))` once: the database session, how to find an active school by its
slug, which roles a user holds in a school and the permissions they grant, and the response for a request that
is not signed in.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class KernelHooks:
    session: Callable[[], Any]  # the current SQLAlchemy session
    school_by_slug: Callable[[str], Any]  # the active school with this slug, or None
    school_roles: Callable[[Any, int], list]  # (user, school id) -> the user's roles there
    permissions_for_roles: Callable[[list], frozenset]  # roles -> the permissions they grant
    unauthorized: Callable[[], Any]  # the response for a request that is not signed in


_hooks: KernelHooks | None = None


def install(kernel_hooks: KernelHooks) -> None:
    global _hooks
    _hooks = kernel_hooks


def hooks() -> KernelHooks:
    if _hooks is None:
        raise RuntimeError("the tenancy kernel is not wired: create_app installs its hooks")
    return _hooks
