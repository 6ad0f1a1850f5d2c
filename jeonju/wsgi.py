"""WSGI entry point, for gunicorn and any other WSGI server.

Production settings unless DJANGO_SETTINGS_MODULE names others: a server started without it must
refuse to start for want of its secrets, never come up with DEBUG on (manage.py, a developer's
tool, keeps the local default).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jeonju.settings.production")

application = get_wsgi_application()
