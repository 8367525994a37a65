"""portal.views.agreement.pages"""
