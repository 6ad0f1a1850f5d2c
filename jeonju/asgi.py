"""ASGI entry point, for uvicorn/daphne and any other ASGI server.

Production settings unless DJANGO_SETTINGS_MODULE names others, as in jeonju/wsgi.py.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jeonju.settings.production")

application = get_asgi_application()
