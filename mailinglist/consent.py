"""Who did something, from where: the facts a consent record keeps, and the client address behind proxies."""

from dataclasses import asdict, dataclass, field
from datetime import datetime

from django.utils import timezone

from newsroom.security import client_ip

# What every signup form shows next to its button; stored verbatim with each signup so the record says what
# the reader agreed to even after this text changes.
SIGNUP_WORDING = (
    "We will email you a link to confirm. You will get only the lists you choose, "
    "and every email has a link to unsubscribe at once."
)


@dataclass(frozen=True)
class Consent:
    """The circumstances of one act of consent (or its withdrawal), as the ConsentEvent row records them."""

    source: str
    ip_address: str | None = None
    user_agent: str = ""
    wording: str = ""
    at: str = field(default_factory=lambda: timezone.now().isoformat())

    @classmethod
    def from_request(cls, request, *, source: str, wording: str = "") -> "Consent":
        return cls(
            source=source[:500],
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:500],
            wording=wording,
        )

    def as_dict(self) -> dict:
        """JSON-safe, so a task can carry it to the worker."""
        return asdict(self)

    @property
    def when(self):
        return datetime.fromisoformat(self.at)
