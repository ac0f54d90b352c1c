import time

from django import forms
from django.conf import settings
from django.core import signing
from django.db.models import Q

from mailinglist.models import MailingList, Subscriber, normalise_email, validate_address

STARTED_SALT = "mailinglist.form-started"
# A field no person sees; bots that fill every input give themselves away.
HONEYPOT_FIELD = "homepage"


def form_started_token() -> str:
    return signing.dumps(int(time.time()), salt=STARTED_SALT)


class SignupForm(forms.Form):
    email = forms.EmailField(
        max_length=254,
        validators=[validate_address],
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter a complete email address, like name@example.com.",
            "max_length": "That address is too long to be real: at most 254 characters.",
        },
    )
    lists = forms.TypedMultipleChoiceField(coerce=int, required=False)
    source = forms.CharField(required=False)
    started = forms.CharField(required=False)
    homepage = forms.CharField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lists"].choices = [(item["id"], item["name"]) for item in MailingList.objects.for_signup_form()]
        self.fields["lists"].error_messages["invalid_choice"] = "One of the lists you chose is no longer offered."

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get(HONEYPOT_FIELD, "").strip())

    def _started(self):
        try:
            started = signing.loads(self.data.get("started", ""), salt=STARTED_SALT)
        except signing.BadSignature:
            return None
        return started if isinstance(started, int) else None

    @property
    def too_fast(self) -> bool:
        """Submitted sooner after the form was drawn than a person can type, or with no genuine start time."""
        started = self._started()
        return started is None or time.time() - started < settings.MAILINGLIST_MIN_FILL_SECONDS

    @property
    def stale(self) -> bool:
        """Drawn longer ago than MAILINGLIST_FORM_MAX_AGE: a start time harvested once must not serve a bot for
        ever."""
        started = self._started()
        return started is not None and time.time() - started > settings.MAILINGLIST_FORM_MAX_AGE


class PreferencesForm(forms.Form):
    name = forms.CharField(max_length=200, required=False, label="Your name (optional)")
    lists = forms.ModelMultipleChoiceField(
        queryset=MailingList.objects.none(), required=False, widget=forms.CheckboxSelectMultiple, label="Send me"
    )

    def __init__(self, *args, subscriber: Subscriber, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "name": subscriber.name,
                "lists": list(subscriber.list_ids()) if subscriber.status == Subscriber.Status.ACTIVE else [],
            },
        )
        super().__init__(*args, **kwargs)
        # Private lists stay on offer only to those already on them.
        self.fields["lists"].queryset = MailingList.objects.filter(
            Q(is_public=True) | Q(pk__in=subscriber.subscriptions.values("mailing_list"))
        )


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8, first row naming the columns: “email” (required) and “name” (optional). At most 10 MB.",
    )
    lists = forms.ModelMultipleChoiceField(
        queryset=MailingList.objects.all(), widget=forms.CheckboxSelectMultiple, label="Subscribe them to"
    )
    consent_note = forms.CharField(
        label="How these people consented",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with each imported subscriber as their consent record, e.g. “Signed up on the paper form at "
        "the 2025 book fair; form wording: …”.",
    )
    confirmed = forms.BooleanField(
        label="Every person in this file agreed to receive these lists, and I can show how.",
        error_messages={"required": "Import only people who agreed to receive these lists, and tick the box."},
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded.size > 10 * 1024 * 1024:
            raise forms.ValidationError("The file is larger than 10 MB; split it and import each part.")
        return uploaded
