"""CSV in and out of the admin. Export streams row by row; import reads and checks the file before anything is
written."""

import csv
import io
from collections import defaultdict

from mailinglist.models import Subscription

EXPORT_HEADER = ["email", "name", "status", "lists", "signed_up", "signup_source", "confirmed", "unsubscribed"]
MAX_IMPORT_ROWS = 100_000


class _Echo:
    """csv.writer wants a file; this one hands each line straight back."""

    def write(self, value):
        return value


def export_lines(queryset, *, chunk_size: int = 2000):
    """CSV lines for `queryset`, read `chunk_size` rows at a time (keyset pagination on the primary key, plain
    tuples rather than model instances), so memory stays flat however many rows there are."""
    writer = csv.writer(_Echo())
    yield writer.writerow(EXPORT_HEADER)
    columns = ["pk", "email", "name", "status", "created_at", "source", "confirmed_at", "unsubscribed_at"]
    queryset = queryset.prefetch_related(None).order_by("pk").values_list(*columns)
    last_pk = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last_pk)[:chunk_size])
        if not chunk:
            return
        last_pk = chunk[-1][0]
        lists = defaultdict(list)
        memberships = Subscription.objects.filter(subscriber_id__in=[row[0] for row in chunk])
        for subscriber_id, slug in memberships.order_by("mailing_list__order", "mailing_list__name").values_list(
            "subscriber_id", "mailing_list__slug"
        ):
            lists[subscriber_id].append(slug)
        for pk, email, name, status, created_at, source, confirmed_at, unsubscribed_at in chunk:
            yield writer.writerow(
                [
                    _safe(email),
                    _safe(name),
                    status,
                    ";".join(lists[pk]),
                    created_at.isoformat(),
                    _safe(source),
                    confirmed_at.isoformat() if confirmed_at else "",
                    unsubscribed_at.isoformat() if unsubscribed_at else "",
                ]
            )


def _safe(value: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas; a leading quote keeps them text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


class ImportFileError(ValueError):
    pass


def read_import(uploaded) -> list[tuple[int, str, str]]:
    """(row number, email, name) for each data row of an uploaded CSV with an `email` column and an optional
    `name` column. Raises ImportFileError with a message for the manager when the file itself is unusable."""
    try:
        text = uploaded.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.") from None
    first_line = text.split("\n", 1)[0]
    # Spreadsheets in many locales save with semicolons or tabs; the header row says which.
    delimiter = next((mark for mark in (",", ";", "\t") if mark in first_line), ",")
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [column.strip().lower() for column in next(reader)]
    except StopIteration:
        raise ImportFileError("The file is empty.") from None
    except csv.Error as error:
        raise ImportFileError(f"The file is not valid CSV: {error}.") from None
    if "email" not in header:
        raise ImportFileError("The first row must name the columns, and one of them must be “email”.")
    email_at = header.index("email")
    name_at = header.index("name") if "name" in header else None
    records = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(records) >= MAX_IMPORT_ROWS:
                raise ImportFileError(f"The file has more than {MAX_IMPORT_ROWS:,} rows; import it in parts.")
            email = row[email_at].strip() if email_at < len(row) else ""
            name = row[name_at].strip() if name_at is not None and name_at < len(row) else ""
            records.append((reader.line_num, email, name))
    except csv.Error as error:
        raise ImportFileError(f"Line {reader.line_num} is not valid CSV: {error}.") from None
    return records
