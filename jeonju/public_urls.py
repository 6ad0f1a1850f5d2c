"""The citizen-facing pages; Korean at the plain URLs, English under /en/ (see jeonju/urls.py)."""

urlpatterns = []
