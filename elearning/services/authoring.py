"""What authors see: every module with its validation status, including the modules left out for errors."""

from __future__ import annotations

from dataclasses import dataclass

from ..content import Catalog, ContentError, Module
from ..models import Person
from .authz import may_author
from .errors import Forbidden, NotFound


def require_author(person: Person) -> None:
    """Authors and admins may preview content; nobody else."""
    if not may_author(person):
        raise Forbidden("author role required")


@dataclass(frozen=True)
class ModuleStatus:
    """A module folder as the author sees it: the module if it loaded, and its problems."""

    slug: str
    module: Module | None
    problems: tuple[ContentError, ...]

    @property
    def errors(self) -> tuple[ContentError, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[ContentError, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")


def module_statuses(catalog: Catalog, person: Person) -> list[ModuleStatus]:
    """Every module folder, valid or not, in slug order."""
    require_author(person)
    slugs = set(catalog.modules) | {p.path.split("/", 1)[0] for p in catalog.problems}
    return [ModuleStatus(slug, catalog.module(slug), catalog.problems_for(slug)) for slug in sorted(slugs)]


def preview_module(catalog: Catalog, person: Person, slug: str) -> Module:
    """A module for preview, whatever its audience."""
    require_author(person)
    module = catalog.module(slug)
    if module is None:
        raise NotFound("module")
    return module
