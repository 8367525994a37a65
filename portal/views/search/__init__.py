"""Search pages: the JSON search API (the public directory page is portal.views.practitioners.directory)."""
