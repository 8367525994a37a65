"""Practitioners API (``/api/v1``): public profiles and their reviews (here),
"my practice" (api_practice) and the agreement quiz (api_quiz).

Public profiles are what the profile page shows (views.practitioners.directory):
the same service calls, the same rule that only approved or warned profiles of
active accounts are public (anything else is a 404, as on the web)."""
from __future__ import annotations

from urllib.parse import urljoin

from flask import request, url_for
from flask_appbuilder.api import expose

from portal.forms.api.practitioners import ProfileReviewOut, PublicProfileOut
from portal.services.practitioners import profiles
from portal.views.api import Call, PortalApi, operation
from portal.views.practitioners.directory import photo_sources


class ShownProfile:
    """A public profile with what its page adds (rating bars, verification facts,
    the photo's address), for ``PublicProfileOut``; every other attribute is the profile's."""

    def __init__(self, profile, **extra):
        self._profile = profile
        self.__dict__.update(extra)

    def __getattr__(self, name):
        return getattr(self._profile, name)


def shown_profile(profile) -> ShownProfile:
    photo = photo_sources(profile)
    return ShownProfile(
        profile,
        url=url_for("DirectoryView.profile", profile_id=profile.id, _external=True),
        rating_distribution=[{"stars": stars, "count": count}
                             for stars, count in profiles.rating_distribution(profile.id)],
        verification=profiles.verification_facts(profile),
        photo_url=urljoin(request.host_url, photo.original) if photo is not None else None)


class PractitionersApi(PortalApi):
    resource_name = "practitioners"
    openapi_spec_tag = "Practitioners"

    @expose("/<int:profile_id>", methods=["GET"])
    @operation("A public practitioner profile, as its page shows it", public=True, response=PublicProfileOut)
    def profile(self, profile_id: int, call: Call):
        return shown_profile(profiles.public_profile(profile_id))

    @expose("/<int:profile_id>/reviews", methods=["GET"])
    @operation("Published reviews of a public profile, newest first, with the practitioner's replies",
               public=True, response=ProfileReviewOut, paged=True)
    def reviews(self, profile_id: int, call: Call):
        profile = profiles.public_profile(profile_id)
        return profiles.profile_reviews(profile.id, page=call.page, per_page=call.per_page)


def register(appbuilder) -> None:
    from portal.views.practitioners.api_practice import PracticeApi
    from portal.views.practitioners.api_quiz import PracticeQuizApi

    appbuilder.add_api(PractitionersApi)
    appbuilder.add_api(PracticeApi)
    appbuilder.add_api(PracticeQuizApi)
