"""Domain errors that services raise and the web layer turns into 400/403/404 pages."""


class ServiceError(Exception):
    """Base of the errors a service raises on purpose."""


class NotFound(ServiceError):
    """The thing asked for does not exist (or the asker may not know that it does)."""


class Forbidden(ServiceError):
    """The asker is not allowed to do or see this."""


class InvalidInput(ServiceError):
    """The request names something that is not valid here."""
