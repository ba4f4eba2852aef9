"""SQLAlchemy models; importing this package registers every table on Base.metadata."""

from .assessment import AssessmentAnswer, AssessmentAttempt
from .base import Base, utcnow
from .organisation import OrganisationUnit
from .person import Person, Role, RoleGrant
from .progress import LessonProgress, ModuleCompletion

__all__ = [
    "AssessmentAnswer",
    "AssessmentAttempt",
    "Base",
    "LessonProgress",
    "ModuleCompletion",
    "OrganisationUnit",
    "Person",
    "Role",
    "RoleGrant",
    "utcnow",
]
