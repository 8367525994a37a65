"""The demo practitioners' way to verification, step by step through the services
(a mixin of portal.demo's seeder: it uses the seeder's rng, clock, ``at`` and users)."""
from __future__ import annotations

import datetime as dt

from portal.demo import documents as demo_documents
from portal.demo.data import (
    APPROVE_MESSAGES,
    CHAMBER_OVERRIDES,
    CHAMBERS,
    CLOSERS,
    EXPERT_DEGREES,
    FOCUS_KK,
    FOCUS_RU,
    INTERVIEW_NOTES,
    LANGUAGES_KK,
    LANGUAGES_RU,
    LAW_DEGREE,
    LICENCE_FILES,
    LICENSOR,
    MEMBERSHIP_FILE,
    OPENERS_KK,
    OPENERS_RU,
    OTHER_FILES,
    PRICE_RANGE,
    REVOKE_MESSAGES,
    REVOKE_REASON,
    ROLE_KK,
    ROLE_RU,
    UNIVERSITIES,
    ascii_name,
    lower_first,
    years_ru,
)
from portal.models.accounts import PortalUser
from portal.models.catalog import Category, Region
from portal.models.practitioners import (
    DocumentKind,
    InterviewMode,
    InterviewOutcome,
    PractitionerProfile,
    ProfileStatus,
)
from portal.services.practitioners import decisions, questionnaire, quiz, verification


class PractitionerSteps:
    def application(self, category: Category, region: Region, regions: list[Region], kazakh: bool):
        """The questionnaire's answers, as an applicant of ``category`` in ``region`` fills it."""
        rng, code = self.rng, category.code
        exp = rng.randint(2, 28)
        licence_date = dt.date(self.now.year - exp, rng.randint(1, 12), rng.randint(1, 28))
        specs = rng.sample(category.specializations, k=min(rng.randint(1, 3), len(category.specializations)))
        degree = EXPERT_DEGREES.get(specs[0].code, LAW_DEGREE) if code == "expert" else LAW_DEGREE
        uni, graduated = rng.choice(UNIVERSITIES), licence_date.year - rng.randint(1, 4)
        closer = rng.choice(CLOSERS)
        about_ru = " ".join((
            rng.choice(OPENERS_RU).format(role=ROLE_RU[code], exp=exp, years=years_ru(exp)),
            rng.choice(FOCUS_RU).format(specs=", ".join(lower_first(s.name_ru) for s in specs)),
            closer[0].format(city=region.centre_ru)))
        about_kk = " ".join((
            rng.choice(OPENERS_KK).format(role=ROLE_KK[code], role_cap=ROLE_KK[code].capitalize(), exp=exp),
            rng.choice(FOCUS_KK).format(specs=", ".join(lower_first(s.name_kk) for s in specs)),
            closer[1].format(city_kk=region.centre_kk)))
        low, high = PRICE_RANGE[code]
        extra = rng.sample([r for r in regions if r is not region], k=rng.choice((0, 0, 1, 2)))
        licence = f"{rng.randint(14, 19)}{rng.randint(0, 999_999):06d}" if rng.random() < 0.7 \
            else f"ЛЦ-{rng.randint(1, 99_999):07d}"
        return questionnaire.ApplicationInput(
            category_id=category.id, city_id=self.centres.get(region.id),
            region_ids=[r.id for r in [region] + extra],
            specialization_ids=[s.id for s in specs],
            languages=rng.choice(LANGUAGES_KK if kazakh else LANGUAGES_RU).split(","), experience_years=exp,
            licence_number=licence, licence_date=licence_date, licensor_id=self.licensors.get(LICENSOR),
            chamber_id=self.chambers.get(CHAMBER_OVERRIDES.get((code, region.code))
                                         or rng.choice(CHAMBERS[code]).format(region=region.code)),
            membership_id=str(rng.randint(100, 4999)),
            education_ru=f"{uni[0]}, {degree[0]} ({graduated})",
            education_kk=f"{uni[1]}, {degree[1]} ({graduated})",
            about_ru=about_ru, about_kk=about_kk, price_from=rng.randint(low, high) * 1000,
            online_consultation=rng.random() < 0.6)

    def files(self, user: PortalUser, category: Category, data, complete: bool) -> dict:
        """The documents the applicant uploads with the questionnaire (a draft may lack the licence)."""
        holder = f"{ascii_name(user.first_name).title()} {ascii_name(user.last_name).title()}"
        sample = ["AlemTrust demo data: a sample, not a real document.", f"Holder: {holder}"]
        files: dict[str, list] = {}
        code = category.code
        if code in LICENCE_FILES and complete:
            number = ascii_name(data.licence_number).upper()
            files[DocumentKind.LICENCE] = [demo_documents.upload(LICENCE_FILES[code], sample + [
                f"Licence No. {number}", f"Issued: {data.licence_date:%d.%m.%Y}"])]
        others = [demo_documents.upload(OTHER_FILES[code], sample)] if code in OTHER_FILES else []
        if code == "advocate" and self.rng.random() < 0.4:
            others.append(demo_documents.upload(MEMBERSHIP_FILE, sample + [f"Member No. {data.membership_id}"]))
        if others:
            files[DocumentKind.OTHER] = others
        return files

    def answer(self, user: PortalUser, when: dt.datetime, wrong: int) -> None:
        """Take the agreement quiz at ``when``, answering all but ``wrong`` questions right."""
        with self.at(when):
            attempt = quiz.start(user, now=when, rng=self.rng)
        chosen = {}
        lines = quiz.questions(attempt)
        mistakes = set(self.rng.sample(range(len(lines)), k=min(wrong, len(lines))))
        for i, question in enumerate(lines):
            right = [o for o in question.options if o.is_correct]
            other = [o for o in question.options if not o.is_correct]
            chosen[question.id] = (self.rng.choice(other) if i in mistakes else right[0]).id
        finished = when + dt.timedelta(minutes=self.rng.randint(6, 25))
        with self.at(finished):
            quiz.submit(user, attempt.id, chosen, now=finished)

    def profile(self, category: Category, status: str, region: Region, regions: list[Region],
                email: str | None = None) -> PractitionerProfile:
        """An applicant who reached ``status`` (draft, submitted, approved or revoked) through the services."""
        rng = self.rng
        # when the application was submitted: long ago for verified practitioners, lately for the others
        if status in (ProfileStatus.APPROVED, ProfileStatus.REVOKED):
            submitted = self.now - dt.timedelta(days=rng.randint(25, 410), hours=rng.randint(0, 23))
        else:
            submitted = self.now - dt.timedelta(days=rng.randint(1, 6), hours=rng.randint(1, 23))
        drafted = submitted - dt.timedelta(days=rng.randint(0, 4), hours=rng.randint(1, 20))
        user, kazakh = self.user(region, email=email,
                                 when=drafted - dt.timedelta(days=rng.randint(0, 60), hours=rng.randint(1, 5)))
        data = self.application(category, region, regions, kazakh)
        complete = status != ProfileStatus.DRAFT or rng.random() < 0.5
        files = self.files(user, category, data, complete)
        with self.at(drafted):
            profile = verification.save_draft(user, data, files=files)
        self.changed[profile.id] = drafted
        if status == ProfileStatus.DRAFT:
            return profile
        with self.at(submitted, profile):
            verification.submit(user, now=submitted)
        if status == ProfileStatus.SUBMITTED:
            return profile
        rules = quiz.rules()
        allowed = rules.questions - rules.pass_mark(rules.questions)  # mistakes that still pass
        taken = submitted + dt.timedelta(hours=rng.randint(1, 30))
        if rng.random() < 0.15:  # failed once, passed after the cool-down
            self.answer(user, taken, wrong=allowed + 1 + rng.randint(0, 2))
            taken += rules.cooldown + dt.timedelta(hours=rng.randint(2, 40))
        self.answer(user, taken, wrong=rng.choice([0, 0, 1, 1, 2][:allowed + 1] or [0]))
        scheduled = taken + dt.timedelta(hours=rng.randint(3, 30))
        meeting = (scheduled + dt.timedelta(days=rng.randint(1, 4))).replace(
            hour=rng.randint(4, 11), minute=rng.choice((0, 30)), second=0, microsecond=0)  # 9:00-16:30 in Almaty
        mode = InterviewMode.IN_PERSON if rng.random() < 0.6 else InterviewMode.PHONE
        with self.at(scheduled):
            interview = decisions.schedule_interview(self.staff, profile.id, meeting, mode, now=scheduled)
        recorded = meeting + dt.timedelta(minutes=rng.randint(20, 50))
        with self.at(recorded):
            decisions.record_interview(self.staff, interview.id, InterviewOutcome.PASSED,
                                       rng.choice(INTERVIEW_NOTES), True, f"{rng.randint(0, 9999):04d}")
        interview.recorded_at = interview.passport_checked_at = recorded  # the service dates them now
        approved = recorded + dt.timedelta(hours=rng.randint(1, 40))
        lang = "kk" if user.locale == "kk" else "ru"
        with self.at(approved, profile):
            decisions.approve(self.staff, profile.id, message=rng.choice(APPROVE_MESSAGES[lang]), now=approved)
        if status == ProfileStatus.REVOKED:
            revoked = min(self.now - dt.timedelta(days=2), approved + dt.timedelta(days=rng.randint(60, 150)))
            with self.at(revoked, profile):
                decisions.revoke(self.staff, profile.id, reason=REVOKE_REASON, message=REVOKE_MESSAGES[lang])
        return profile

    def feed_of(self, profile: PractitionerProfile, specializations, regions, when: dt.datetime) -> None:
        """The practitioner widens their public profile (specializations, regions) on the edit page."""
        data = questionnaire.input_from(profile)
        data.specialization_ids = [s.id for s in specializations]
        data.region_ids = list(dict.fromkeys(data.region_ids + [r.id for r in regions]))
        when = min(self.now - dt.timedelta(hours=1), max(when, self.changed[profile.id] + dt.timedelta(days=1)))
        with self.at(when, profile):
            verification.update_public_profile(profile.user, data, now=when)
