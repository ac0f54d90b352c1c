import sys

from django.core.management.base import BaseCommand, CommandError

from newsletters import sending, tasks
from newsletters.models import Issue, IssueStateError


class Command(BaseCommand):
    help = (
        "Send a newsletter issue now from this process, with a progress bar; or resume one whose worker died. "
        "Safe to run beside the task worker or twice: deliveries are claimed, so nobody gets a message twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("issue_id", type=int)
        parser.add_argument("--batch-size", type=int, default=None, help="Deliveries per batch (one SMTP connection).")
        parser.add_argument("--no-progress", action="store_true", help="Print one line per batch instead of a bar.")

    def handle(self, *args, issue_id, batch_size, no_progress, **options):
        issue = Issue.objects.filter(pk=issue_id).select_related("mailing_list").first()
        if issue is None:
            raise CommandError(f"There is no issue {issue_id}.")
        if issue.status in (Issue.Status.DRAFT, Issue.Status.SCHEDULED):
            try:
                tasks.start_sending(issue=issue)
            except IssueStateError as error:
                raise CommandError(str(error)) from None
            issue.refresh_from_db()
        if issue.status != Issue.Status.SENDING:
            raise CommandError(f"Issue {issue_id} is {issue.get_status_display().lower()}; nothing to send.")
        self.stdout.write(f"Sending “{issue.subject}” to {issue.mailing_list.name} ({issue.recipients} recipients)")
        bar = not no_progress and self.stdout.isatty()

        def report(issue, batch):
            progress = issue.progress()
            if bar:
                width = 40
                filled = int(width * progress["percent"] / 100)
                self.stdout.write(
                    f"\r[{'#' * filled}{'.' * (width - filled)}] {progress['percent']:5.1f}%  "
                    f"sent {progress['sent']}  failed {progress['failed'] + progress['bounced']}  "
                    f"queued {progress['queued'] + progress['sending']}",
                    ending="",
                )
                self.stdout.flush()
            else:
                self.stdout.write(
                    f"batch: {batch.sent} sent, {batch.failed + batch.bounced} failed, {batch.retried} to retry, "
                    f"{batch.skipped} skipped; total sent {progress['sent']} of {progress['total']}"
                )

        total = sending.drain(issue, size=batch_size, on_batch=report)
        if bar:
            self.stdout.write("")
        issue.refresh_from_db()
        self.stdout.write(
            self.style.SUCCESS(
                f"{issue.get_status_display()}: {total.sent} sent by this run over {total.connections} SMTP "
                f"connection(s); {total.failed + total.bounced} failed, {total.skipped} skipped."
            )
        )
        if total.errors:
            sys.stderr.write(f"Last error: {total.errors[-1]}\n")
