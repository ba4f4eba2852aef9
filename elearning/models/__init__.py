"""SQLAlchemy models; importing this package registers every table on Base.metadata."""

from .account_token import AccountToken, TokenPurpose
from .assessment import AssessmentAnswer, AssessmentAttempt
from .assignment import DEFAULT_REMINDER_DAYS, Assignment, Enrolment, ReminderSent
from .audit import AuditEvent
from .base import Base, utcnow
from .effect import EffectAnswerCount, EffectParticipation
from .exemption import Exemption, ExemptionReason
from .idempotency import UsedFormToken
from .login_session import LoginSession
from .login_throttle import LoginThrottle
from .lti import LtiLink, LtiNonce, LtiPlatform, LtiScore
from .organisation import OrganisationUnit
from .person import Person, Role, RoleGrant
from .position import LearnerPosition
from .progress import LessonProgress, ModuleCompletion
from .scenario import ScenarioChoiceCount, ScenarioCompletion
from .unit_setting import UnitSetting
from .xapi import XapiStatement

__all__ = [
    "DEFAULT_REMINDER_DAYS",
    "AccountToken",
    "AssessmentAnswer",
    "AssessmentAttempt",
    "Assignment",
    "AuditEvent",
    "Base",
    "EffectAnswerCount",
    "EffectParticipation",
    "Enrolment",
    "Exemption",
    "ExemptionReason",
    "LearnerPosition",
    "LessonProgress",
    "LoginSession",
    "LoginThrottle",
    "LtiLink",
    "LtiNonce",
    "LtiPlatform",
    "LtiScore",
    "ModuleCompletion",
    "OrganisationUnit",
    "Person",
    "ReminderSent",
    "Role",
    "RoleGrant",
    "ScenarioChoiceCount",
    "ScenarioCompletion",
    "TokenPurpose",
    "UnitSetting",
    "UsedFormToken",
    "XapiStatement",
    "utcnow",
]
