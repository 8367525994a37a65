"""A practitioner's documents and photo: checking and storing the uploads,
where their files are, and who may read them (files in the file store, core.storage,
area ``core.files.DOCUMENTS``)."""
from __future__ import annotations

import uuid

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.core import audit, images, storage
from portal.core.errors import NotFound, ServiceError
from portal.core.extensions import db
from portal.core.files import DOCUMENTS, display_name, sniff
from portal.core.files import check as check_uploads
from portal.models.accounts import is_staff
from portal.models.practitioners import DocumentKind, PractitionerProfile, ProfileDocument


def document_key(document: ProfileDocument) -> str:
    """The document's file in the file store."""
    return storage.key(DOCUMENTS, document.storage_key)


def files_of(document: ProfileDocument) -> list[str]:
    """Every stored file of a document (keys): the upload, and a photo's smaller copies."""
    key = document_key(document)
    if document.kind != DocumentKind.PHOTO:
        return [key]
    return [key, *images.variant_names(key, photo_widths())]


def check_files(profile: PractitionerProfile | None, files: dict | None) -> dict[str, list]:
    """Check uploads per kind (content type by the bytes, size, count); photo: one JPEG or PNG."""
    files = files or {}
    checked = {}
    for kind, items in files.items():
        if kind not in DocumentKind.ALL:
            raise ServiceError(_l("Unknown kind of document."), kind)
        items = [f for f in (items or []) if f is not None and getattr(f, "filename", "")]
        if not items:
            continue
        if kind == DocumentKind.PHOTO:
            if len(items) > 1:
                raise ServiceError(_l("Upload one photo."), kind)
            check_uploads(items, field=kind)
            head = items[0].stream.read(16)
            items[0].stream.seek(0)
            if sniff(head) not in ("image/jpeg", "image/png"):
                raise ServiceError(_l("The photo must be a JPEG or PNG image."), kind)
        else:
            already = sum(1 for d in profile.documents if d.kind == kind) if profile is not None else 0
            check_uploads(items, field=kind, already=already)
        checked[kind] = items
    return checked


def store_files(profile: PractitionerProfile, checked: dict[str, list]) -> list[str]:
    """Store checked files and add their rows; returns the keys of replaced files
    to delete after the commit. Stored files are removed again on a rollback
    (core.storage.put_in_transaction)."""
    obsolete = []
    for kind, items in checked.items():
        if kind == DocumentKind.PHOTO:
            for old in [d for d in profile.documents if d.kind == DocumentKind.PHOTO]:
                obsolete += files_of(old)
                profile.documents.remove(old)
                db.session.delete(old)
        for f in items:
            name = uuid.uuid4().hex
            data = f.stream.read()
            content_type = sniff(data[:16])
            key = storage.key(DOCUMENTS, name)
            storage.put_in_transaction(db.session, key, data, content_type)
            if kind == DocumentKind.PHOTO:  # the sizes pages show (removed again on a rollback)
                _store_variants(key, data)
            # shown and downloaded with the extension of the type in its bytes ("x.html" -> "x.pdf")
            doc = ProfileDocument(kind=kind, original_name=display_name(f.filename, content_type, name),
                                  content_type=content_type, size=len(data), storage_key=name)
            profile.documents.append(doc)
    return obsolete


def _store_variants(key: str, data: bytes) -> int:
    made = images.make_variants(data, photo_widths())
    for width, copy in made:
        storage.put_in_transaction(db.session, images.variant_name(key, width), copy, images.CONTENT_TYPE)
    return len(made)


def remove_files(keys: list[str]) -> None:
    """Delete stored files (after the commit that removed their rows)."""
    storage.delete_quietly(keys)


def photo_of(profile: PractitionerProfile) -> ProfileDocument | None:
    return next((d for d in profile.documents if d.kind == DocumentKind.PHOTO), None)


def photo_widths() -> tuple[int, ...]:
    """The widths of the photo copies made at upload (PHOTO_WIDTHS)."""
    return tuple(sorted(int(w) for w in current_app.config["PHOTO_WIDTHS"]))


def photo_variant_key(document: ProfileDocument, width: int | None) -> str | None:
    """The key of the photo's copy ``width`` px wide, when that width is made (the file may
    still be missing: the caller falls back to the original)."""
    if width is None or width not in photo_widths():
        return None
    return images.variant_name(document_key(document), width)


def photos_without_variants() -> list[ProfileDocument]:
    """Photos missing at least one copy (uploaded before copies were made, or a width added)."""
    photos = db.session.scalars(select(ProfileDocument).where(ProfileDocument.kind == DocumentKind.PHOTO)
                                .order_by(ProfileDocument.id)).all()
    store = storage.storage()
    return [doc for doc in photos
            if not all(store.exists(k) for k in images.variant_names(document_key(doc), photo_widths()))]


def make_photo_variants(document: ProfileDocument) -> int:
    """Make the copies of a stored photo; how many were written (0: gone, or not readable as an image)."""
    key = document_key(document)
    try:
        data = storage.storage().read(key)
    except storage.FileMissing:
        return 0
    made = images.make_variants(data, photo_widths())
    for width, copy in made:
        storage.storage().put(images.variant_name(key, width), copy, images.CONTENT_TYPE)
    return len(made)


def document_for(user, document_id: int) -> ProfileDocument:
    """The document if ``user`` may read it: its owner or staff; the photo of a
    public profile: anyone (``user`` may be anonymous or None)."""
    doc = db.session.get(ProfileDocument, document_id)
    if doc is None:
        raise NotFound(_l("This file does not exist or is not available to you."))
    profile = doc.profile
    user_id = getattr(user, "id", None)
    if user_id is not None and profile.user_id == user_id:
        return doc
    if doc.kind == DocumentKind.PHOTO and profile.is_public:
        return doc
    if user_id is not None and is_staff(user):
        if doc.kind != DocumentKind.PHOTO:  # staff reading private papers: on the record
            audit.record("profile_document", doc.id, None, None, user_id, action="staff_download")
            db.session.commit()
        return doc
    raise NotFound(_l("This file does not exist or is not available to you."))


def own_document(user, document_id: int) -> ProfileDocument:
    """The user's own document (their application's): anyone else's, staff's
    included, is NotFound here (staff read documents on the moderation pages)."""
    doc = db.session.get(ProfileDocument, document_id)
    if doc is None or doc.profile is None or doc.profile.user_id != getattr(user, "id", None):
        raise NotFound(_l("This file does not exist or is not available to you."))
    return doc
