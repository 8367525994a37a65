"""App factory, configuration, migrations, start-up data."""
from __future__ import annotations

import os

from sqlalchemy import func, select

import config
from portal.core.extensions import db
from portal.models.catalog import Category, Region, Specialization


def test_factory_uses_the_given_config(app, database_url):
    assert app.config["TESTING"] is True
    assert app.config["SQLALCHEMY_DATABASE_URI"] == database_url
    assert app.config["FAB_CREATE_DB"] is False
    assert "appbuilder" in app.extensions


def test_reference_data_is_complete(app):
    assert db.session.scalar(select(func.count()).select_from(Region)) == 20
    codes = set(db.session.scalars(select(Category.code)))
    assert codes == {"notary", "bailiff", "expert", "advocate", "consultant"}
    for category in db.session.scalars(select(Category)):
        assert category.name_kk and category.name_ru and category.name_en
        assert db.session.scalar(select(func.count()).select_from(Specialization)
                                 .where(Specialization.category_id == category.id)) >= 4
    bailiff = db.session.scalars(select(Category).where(Category.code == "bailiff")).one()
    assert bailiff.takes_requests is False


def test_roles_exist_and_admin_was_created(app):
    sm = app.appbuilder.sm
    for name in ("Admin", "Public", "Client", "Practitioner", "Moderator"):
        assert sm.find_role(name) is not None, name
    admin = sm.find_user(email=app.config["ADMIN_EMAIL"])
    assert admin is not None and admin.has_role("Admin")
    client_perms = {(p.permission.name, p.view_menu.name) for p in sm.find_role("Client").permissions}
    assert ("can_list", "MyRequestsView") in client_perms
    assert not any(view.endswith("AdminView") for _, view in client_perms)


def test_migrations_match_the_models(app):
    """Autogenerate against the migrated database finds nothing to change."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import portal.models

    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), portal.models.metadata)
    assert diff == []


def test_database_url_is_normalised(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@localhost/x")
    assert config._database_url() == "postgresql+psycopg://u:p@localhost/x"
    monkeypatch.delenv("DATABASE_URL")
    assert config._database_url().startswith("sqlite:///")


def test_production_config_never_loads_demo_data():
    assert config.ProductionConfig.LOAD_DEMO_DATA is False
    assert config.ProductionConfig.SESSION_COOKIE_SECURE is True


def test_demo_data_only_into_a_new_database(tmp_path):
    """A second start on the same database loads nothing more, and the
    generated admin password is printed only the first time."""
    from portal import create_app
    from portal.models.practitioners import PractitionerProfile, ProfileStatus

    class Demo(config.TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'demo.db'}"
        INSTANCE_PATH = str(tmp_path / "instance")
        LOAD_DEMO_DATA = True
        ADMIN_PASSWORD = ""

    def counts():
        app = create_app(Demo)
        with app.app_context():
            total = db.session.scalar(select(func.count()).select_from(PractitionerProfile))
            public = db.session.scalar(select(func.count()).select_from(PractitionerProfile)
                                       .where(PractitionerProfile.status.in_(ProfileStatus.PUBLIC)))
            cats = db.session.scalar(select(func.count(func.distinct(PractitionerProfile.category_id))))
            db.session.remove()
            db.engine.dispose()
        return total, public, cats

    total, public, cats = counts()
    assert 40 <= total <= 60 and public >= 40 and cats == 5
    credentials = tmp_path / "instance" / "admin-credentials.txt"
    assert credentials.exists() and "admin@alemtrust.kz" in credentials.read_text()
    credentials.unlink()
    assert counts() == (total, public, cats)
    assert not credentials.exists()
    assert os.path.exists(tmp_path / "demo.db")
