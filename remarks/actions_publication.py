"""The public register's steps, as workflow actions that change no status: the author's consent
and its withdrawal, the coordinator's publication, redaction and removal (remarks.publication
reads the result)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from remarks.actions import Step, handles, precondition
from remarks.workflow import Action


def _row(remark):
    from remarks.publication import publication_of

    return publication_of(remark)


def _consented(remark) -> bool:
    row = _row(remark)
    return row is not None and row.consent


def _published(remark) -> bool:
    row = _row(remark)
    return row is not None and row.is_published


@precondition(Action.CONSENT_PUBLICATION)
def _may_consent(remark, now: dt.datetime) -> str | None:
    return _("You have already allowed publication.") if _consented(remark) else None


@precondition(Action.WITHDRAW_CONSENT)
def _may_withdraw(remark, now: dt.datetime) -> str | None:
    return None if _consented(remark) else _("You have not allowed publication.")


@precondition(Action.PUBLISH)
def _may_publish(remark, now: dt.datetime) -> str | None:
    if not _consented(remark):
        return _("The author has not allowed publication.")
    if _published(remark):
        return _("The remark is already in the public register.")
    if not remark.responses.exists():
        return _("Only a remark with an official answer can be published.")
    return None


@precondition(Action.REDACT_PUBLICATION)
@precondition(Action.UNPUBLISH)
def _is_published(remark, now: dt.datetime) -> str | None:
    return None if _published(remark) else _("The remark is not in the public register.")


def _save(remark, **values) -> None:
    from remarks.models import Publication

    Publication.objects.update_or_create(remark=remark, defaults=values)


def _copy(step: Step) -> dict:
    return {name: (step.inputs.get(f"public_{name}") or "").strip() for name in ("title", "description", "answer")}


@handles(Action.CONSENT_PUBLICATION)
def consent(step: Step) -> None:
    step.notify_author = False
    step.after.append(lambda remark: _save(remark, consent=True, consent_at=step.now))


@handles(Action.WITHDRAW_CONSENT)
def withdraw_consent(step: Step) -> None:
    step.notify_author = False
    if _published(step.remark):
        step.payload.update(unpublished=True)
    step.after.append(lambda remark: _save(remark, consent=False, consent_at=None, published_at=None,
                                           published_by=None))


@handles(Action.PUBLISH)
def publish(step: Step) -> None:
    copy = _copy(step)
    step.after.append(lambda remark: _save(remark, published_at=step.now, published_by=step.actor, **copy))


@handles(Action.REDACT_PUBLICATION)
def redact(step: Step) -> None:
    step.notify_author = False
    copy = _copy(step)
    step.after.append(lambda remark: _save(remark, **copy))


@handles(Action.UNPUBLISH)
def unpublish(step: Step) -> None:
    step.after.append(lambda remark: _save(remark, published_at=None, published_by=None))


def leave_register(step: Step) -> None:
    """A disputed or withdrawn remark leaves the register at once (its answer is no longer the
    last word); the consent stands, so a new answer goes back to the coordinators' moderation."""
    if _published(step.remark):
        step.payload.update(unpublished=True)
        step.after.append(lambda remark: _save(remark, published_at=None, published_by=None))
