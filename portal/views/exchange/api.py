"""API of exchange (/api/v1): requests, offers and the feed, conversations
with their files, reviews. One module per group (api_requests, api_offers,
api_conversations, api_reviews); this one registers them all."""
from __future__ import annotations

from portal.views.exchange.api_conversations import AttachmentsApi, ConversationsApi
from portal.views.exchange.api_offers import FeedApi, OffersApi
from portal.views.exchange.api_requests import RequestsApi
from portal.views.exchange.api_reviews import ReviewsApi

APIS = (RequestsApi, FeedApi, OffersApi, ConversationsApi, AttachmentsApi, ReviewsApi)


def register(appbuilder) -> None:
    for api in APIS:
        appbuilder.add_api(api)
