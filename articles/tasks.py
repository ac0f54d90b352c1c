"""Background work for the articles app, run through the Django Tasks API by a worker (`manage.py task_worker`),
never during a request; at once in tests."""

from django_tasks import task

from articles import notifications
from articles.models import Transition
from articles.services import publish_due_changes


@task(queue_name="email")
def notify_transition(transition_id):
    """Tell the people a workflow step concerns: editors of a submission, reporters of a decision on their story."""
    transition = Transition.objects.select_related("article", "actor").filter(pk=transition_id).first()
    if transition is None:  # the article was deleted before the worker got here
        return 0
    return notifications.send_for_transition(transition)


@task()
def publish_scheduled_changes():
    """Publish the changes to live stories whose scheduled time has come (queued to run at that time)."""
    publish_due_changes()
    return 0
