"""SQLAlchemy models; importing this package registers every table on Base.metadata."""

from .assessment import AssessmentAnswer, AssessmentAttempt
from .base import Base, utcnow
from .idempotency import UsedFormToken
from .organisation import OrganisationUnit
from .person import Person, Role, RoleGrant
from .position import LearnerPosition
from .progress import LessonProgress, ModuleCompletion
from .scenario import ScenarioChoiceCount, ScenarioCompletion

__all__ = [
    "AssessmentAnswer",
    "AssessmentAttempt",
    "Base",
    "LearnerPosition",
    "LessonProgress",
    "ModuleCompletion",
    "OrganisationUnit",
    "Person",
    "Role",
    "RoleGrant",
    "ScenarioChoiceCount",
    "ScenarioCompletion",
    "UsedFormToken",
    "utcnow",
]
