"""portal.views.practitioners"""
