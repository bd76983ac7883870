import os

from backoffice.handlers import dispatching_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings.production")
application = dispatching_application()
