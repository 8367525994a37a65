"""portal.views.exchange"""
