"""The admin metric import's uploaded file between the preview and the confirmation.

django-import-export keeps the file in a temporary storage and sends its name to the browser
in the confirm form; by default the storage is the server's temp folder and the name is
trusted as sent, so a POSTed name could reach any file there, and a confirmation reaching
another app server than the preview found nothing. Here instead:

- the file is a row of ImportUpload, in the database every app server shares (the cache is
  not: without REDIS_URL it is per process, and Redis may evict a large value under memory
  pressure);
- the browser gets the row's id only inside a value signed for the user and the login session
  that uploaded it, with the format and resource chosen, so another user, another session or
  a changed value is refused before any storage is opened;
- an upload not confirmed within IMPORT_UPLOAD_MAX_AGE_SECONDS can no longer be confirmed,
  and the rows that old are deleted at each new upload.
"""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.core import signing
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export.forms import ConfirmImportForm
from import_export.tmp_storages import BaseStorage

from .models import ImportUpload

NOT_YOURS = _("This import cannot be confirmed: it is not a file you uploaded in this session. Upload the file again.")
EXPIRED = _("This upload has expired. Upload the file again.")
GONE = _("This upload has expired or was imported already. Upload the file again.")


def max_age() -> int:
    return getattr(settings, "IMPORT_UPLOAD_MAX_AGE_SECONDS", 3600)


def _oldest_kept(now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(seconds=max_age())


class UploadGone(LookupError):
    """The upload was imported already, or expired and was deleted."""


class DatabaseUploadStorage(BaseStorage):
    """django-import-export's temporary storage as an ImportUpload row, named by its id.

    The admin builds one with a name only from a signature UploadConfirmForm has checked."""

    _data = None

    def save(self, data: bytes):
        now = timezone.now()
        ImportUpload.objects.filter(created_at__lt=_oldest_kept(now)).delete()
        self.name = str(ImportUpload.objects.create(data=data, created_at=now).pk)
        self._data = data  # the preview reads the file back at once

    def read(self):
        data = self._data
        if data is None:
            data = (
                ImportUpload.objects.filter(pk=self.name, created_at__gte=_oldest_kept(timezone.now()))
                .values_list("data", flat=True)
                .first()
            )
            if data is None:
                raise UploadGone(self.name)
            data = bytes(data)  # PostgreSQL gives a memoryview
        return data if "b" in self.read_mode else data.decode(self.encoding or "utf-8")

    def remove(self):
        ImportUpload.objects.filter(pk=self.name).delete()


SIGNED = ("import_file_name", "original_file_name", "format", "resource")


def _signer(request: HttpRequest) -> signing.TimestampSigner:
    # The session key changes at each login, so a value signed for one login session (or one
    # user) does not verify in another.
    return signing.TimestampSigner(salt=f"programs.uploads:{request.user.pk}:{request.session.session_key}")


def confirm_token(request: HttpRequest, initial: dict) -> str:
    """What the confirm form carries as import_file_name: the upload's name, format, resource and
    original file name (the history's reason quotes it), signed for this user's login session."""
    return _signer(request).sign_object({key: initial[key] for key in SIGNED})


class UploadConfirmForm(ConfirmImportForm):
    """The confirm step's form: valid only with a token confirm_token() signed for this request's
    user and session within the upload's lifetime; what it confirms comes from the token, never
    from what was POSTed beside it."""

    def __init__(self, *args, request: HttpRequest, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_import_file_name(self):
        # ConfirmImportForm takes the name's basename; the whole token is needed here.
        return self.cleaned_data["import_file_name"]

    def clean(self):
        cleaned = super().clean()
        if "import_file_name" not in cleaned:
            raise forms.ValidationError(NOT_YOURS, code="not_yours")
        try:
            signed = _signer(self.request).unsign_object(cleaned["import_file_name"], max_age=max_age())
        except signing.SignatureExpired:
            raise forms.ValidationError(EXPIRED, code="expired") from None
        except signing.BadSignature:
            raise forms.ValidationError(NOT_YOURS, code="not_yours") from None
        cleaned.update(signed)
        return cleaned
