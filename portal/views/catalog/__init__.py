"""Catalog pages: the home page and the staff screens of categories, specializations and regions."""
