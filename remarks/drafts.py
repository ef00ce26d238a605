"""A remark form's pending uploads: the checked files of a form that must be shown again
(errors, or similar remarks to look at first), kept under its submission token until the
same form is sent, capped per user and purged when old."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Sum
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from remarks import terms
from remarks.actions import TransitionError
from remarks.models import DraftUpload
from remarks.uploads import CheckedUpload

User = get_user_model()


@transaction.atomic
def draft_uploads_keep(*, user, token: uuid.UUID, uploads: Iterable[CheckedUpload]) -> list[DraftUpload]:
    """Keep the checked files of a form that must be shown again, until the same form is sent.
    All of them or none: beyond the user's allowance across all their drafts (terms.DRAFT_UPLOADS_*)
    the new files are refused with a TransitionError on the attachments field."""
    draft_uploads_purge()
    uploads = list(uploads)
    if not uploads:
        return []
    # One request of a user at a time here, so two at once cannot both fit in the last place.
    User.objects.select_for_update().filter(pk=user.pk).first()
    held = DraftUpload.objects.filter(user=user).aggregate(files=Count("pk"), size=Sum("size"))
    files, size = held["files"] + len(uploads), (held["size"] or 0) + sum(u.size for u in uploads)
    if files > terms.DRAFT_UPLOADS_MAX_FILES or size > terms.DRAFT_UPLOADS_MAX_BYTES:
        raise TransitionError(
            _("These files were not kept: files waiting in your unsent forms may number at most "
              "%(count)s and take at most %(size)s in all. Send or clear an unsent form, or attach "
              "the files again later.")
            % {"count": terms.DRAFT_UPLOADS_MAX_FILES, "size": filesizeformat(terms.DRAFT_UPLOADS_MAX_BYTES)},
            field="attachments",
        )
    return [
        DraftUpload.objects.create(token=token, user=user, file=upload.content, name=upload.name,
                                   content_type=upload.content_type, size=upload.size)
        for upload in uploads
    ]


@transaction.atomic
def draft_uploads_drop(*, user, token: uuid.UUID, ids: Iterable[int]) -> None:
    _delete_drafts(DraftUpload.objects.filter(user=user, token=token, pk__in=list(ids)))


def draft_uploads_as_checked(drafts: Iterable[DraftUpload]) -> list[CheckedUpload]:
    """Kept files as uploads for remark_submit (the content was checked when they arrived)."""
    result = []
    for draft in drafts:
        with draft.file.open("rb") as f:
            data = f.read()
        result.append(CheckedUpload(ContentFile(data, name=draft.name), draft.name, draft.content_type, len(data)))
    return result


@transaction.atomic
def draft_uploads_clear(*, user, token: uuid.UUID) -> None:
    _delete_drafts(DraftUpload.objects.filter(user=user, token=token))


def draft_uploads_purge() -> None:
    _delete_drafts(DraftUpload.objects.filter(created_at__lt=timezone.now() - terms.DRAFT_UPLOAD_LIFETIME))


def _delete_drafts(queryset) -> None:
    files = [(d.file.storage, d.file.name) for d in queryset]
    queryset.delete()

    def remove_files():
        for storage, name in files:
            try:
                storage.delete(name)
            except OSError:  # already gone: nothing to clean
                pass

    transaction.on_commit(remove_files)


