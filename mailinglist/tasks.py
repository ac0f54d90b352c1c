from django_tasks import task

from mailinglist import services
from mailinglist.consent import Consent
from mailinglist.models import Subscriber


@task(queue_name="email")
def process_signup(email: str, list_ids: list[int], consent: dict) -> str | None:
    """The database work and the email of a signup, out of the request: the reader's answer then takes the same
    time whether the address is new, pending, active or gone."""
    return services.sign_up(email=email, list_ids=list_ids, consent=Consent(**consent))


@task(queue_name="email")
def send_notice(subscriber_id: int, kind: str, list_ids: list[int]) -> bool:
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None:
        return False
    lists = services.lists_from_ids(list_ids, public_only=False) or services.default_lists()
    return services.send_notice(subscriber=subscriber, kind=kind, lists=lists)
