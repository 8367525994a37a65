"""portal.views.trust"""
