"""The public site's one form: a request for a benchmarking visit (the visit desk)."""

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programs.models import Program
from visits import desk
from visits.models import FollowUp, HostLanguage, Organization, OrganizationKind, Region, VisitRequest

PHONE = re.compile(r"^[0-9+()\-. ]{7,40}$")
MAX_GROUP = 500
TIME_FIELDS = ("preferred_1", "preferred_2", "preferred_3")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value):
        return value.strftime("%Y-%m-%dT%H:%M") if hasattr(value, "strftime") else value


class VisitRequestForm(forms.Form):
    programs = forms.ModelMultipleChoiceField(
        label=_("Programs to visit"),
        queryset=Program.objects.filter(hosting__takes_visits=True),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one program.")},
    )
    organization_name = forms.CharField(
        label=_("Organization"),
        max_length=200,
        help_text=_("Its full name, e.g. Suwon City Hall. A body that has visited before is found by its name."),
    )
    organization_kind = forms.ChoiceField(
        label=_("Kind of organization"),
        choices=[("", "—"), *OrganizationKind.choices],
        required=False,
        help_text=_("Needed only for an organization that has not visited before."),
    )
    organization_region = forms.ChoiceField(
        label=_("Region"),
        choices=[("", "—"), *Region.choices],
        required=False,
        help_text=_("Needed only for an organization that has not visited before."),
    )
    organization_municipality = forms.CharField(label=_("City, county or district"), max_length=100, required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=100)
    contact_email = forms.EmailField(label=_("E-mail"), max_length=200)
    contact_phone = forms.CharField(label=_("Phone"), max_length=40, help_text=_("e.g. 031-228-2114"))
    preferred_1 = forms.DateTimeField(label=_("Preferred date and time"), widget=DateTimeInput)
    preferred_2 = forms.DateTimeField(label=_("Second choice (optional)"), widget=DateTimeInput, required=False)
    preferred_3 = forms.DateTimeField(label=_("Third choice (optional)"), widget=DateTimeInput, required=False)
    group_size = forms.IntegerField(label=_("Number of people"), min_value=1, max_value=MAX_GROUP)
    purpose = forms.CharField(
        label=_("Purpose of the visit"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    topics = forms.CharField(
        label=_("What you want to learn (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    visit_language = forms.ChoiceField(label=_("Language of the visit"), choices=HostLanguage.choices)
    consent = forms.BooleanField(
        label=_("I agree to the collection and use of the personal data above."),
        error_messages={"required": _("The request cannot be taken without this consent.")},
    )
    # Left empty by people; filled by bots that fill every field. Hidden from view and from
    # assistive technology, and never focused.
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self.organization = None
        self.fields["website"].widget.attrs.update(tabindex="-1", autocomplete="off")
        for name in ("contact_name", "contact_email", "contact_phone"):
            self.fields[name].widget.attrs["autocomplete"] = {
                "contact_name": "name",
                "contact_email": "email",
                "contact_phone": "tel",
            }[name]

    def clean_contact_phone(self):
        phone = self.cleaned_data["contact_phone"].strip()
        if not PHONE.match(phone):
            raise forms.ValidationError(_("Write the phone number with digits, e.g. 031-228-2114."))
        return phone

    def clean_organization_name(self):
        return " ".join(self.cleaned_data["organization_name"].split())

    def clean(self):
        data = super().clean()
        if data.get("website"):
            raise forms.ValidationError(
                _("This request could not be taken. If you are a person, leave the last field empty and send again."),
                code="honeypot",
            )
        name = data.get("organization_name")
        if name:
            self.organization = Organization.objects.named(name).first()
            if self.organization is None:
                for field in ("organization_kind", "organization_region"):
                    if not data.get(field):
                        self.add_error(field, _("Give this for an organization that has not visited before."))
        times = [(field, data[field]) for field in TIME_FIELDS if data.get(field)]
        now = timezone.now()
        for field, when in times:
            if when <= now:
                self.add_error(field, _("Choose a date and time in the future."))
        programs = data.get("programs")
        if programs and not self.errors:
            problems = desk.refusals(
                list(programs), [when for _field, when in times], data.get("group_size"), self.today
            )
            for index, messages in problems.items():
                for message in messages:
                    self.add_error(times[index][0], message)
        return data

    def build(self, language: str) -> VisitRequest:
        data = self.cleaned_data
        request_obj = VisitRequest(
            organization=self.organization,
            contact_name=data["contact_name"],
            contact_email=data["contact_email"],
            contact_phone=data["contact_phone"],
            preferred_1=data["preferred_1"],
            preferred_2=data.get("preferred_2"),
            preferred_3=data.get("preferred_3"),
            group_size=data["group_size"],
            purpose=data["purpose"],
            topics=data.get("topics", ""),
            visit_language=data["visit_language"],
            requester_language=language,
            consented_at=timezone.now(),
        )
        if self.organization is None:
            request_obj.new_organization_name = data["organization_name"]
            request_obj.new_organization_kind = data["organization_kind"]
            request_obj.new_organization_region = data["organization_region"]
            request_obj.new_organization_municipality = data.get("organization_municipality", "")
        return request_obj


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ("took_home", "topics", "may_publish")
        labels = {
            "took_home": _("What did your organization take home or adopt?"),
            "topics": _("Which topics (optional)"),
            "may_publish": _("It may be published on the program's page with our organization's name."),
        }
        widgets = {"took_home": forms.Textarea(attrs={"rows": 5})}

    def clean_took_home(self):
        text = self.cleaned_data["took_home"].strip()
        if not text:
            raise forms.ValidationError(_("Write a few words about what you took home."))
        return text
