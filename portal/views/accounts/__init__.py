"""portal.views.accounts"""
