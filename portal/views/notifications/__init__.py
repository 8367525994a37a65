"""portal.views.notifications.inbox"""
