"""Practitioners: public profiles, the questionnaire and its verification, the
agreement quiz, moderation, registry imports."""
