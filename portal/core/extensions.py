"""Extension instances shared by the app factory, models and services.

AppBuilder is created inside create_app (a module-global instance cannot
initialise a second app in one process); everything else lives here.
"""
from flask_appbuilder.models.sqla.base import SQLA
from flask_mail import Mail
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

db = SQLA()
migrate = Migrate()
mail = Mail()
csrf = CSRFProtect()
