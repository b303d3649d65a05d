"""The templates' ``url_for`` keeps each address it builds, and gives what Flask's own gives
wherever the address would differ: another blueprint, root address or host."""

from __future__ import annotations

import pytest
from flask import Blueprint, Flask, g, render_template_string, url_for

from returns_service import kept_urls
from returns_service.kept_urls import kept_url_for


def _small_app(prefix: str = "") -> Flask:
    app = Flask(__name__)
    for name in ("first", "second"):
        blueprint = Blueprint(name, __name__, url_prefix=f"{prefix}/{name}")
        blueprint.add_url_rule("/page/<int:number>", "page", lambda number: "")
        blueprint.add_url_rule("/home", "home", lambda: "")
        app.register_blueprint(blueprint)
    kept_urls.init_app(app)
    return app


@pytest.mark.parametrize(
    ("endpoint", "values"),
    [
        ("first.home", {}),
        ("first.page", {"number": 3}),
        ("first.page", {"number": 3, "q": "a b", "lang": "ja"}),
        ("first.page", {"number": 3, "lang": "ja", "q": "a b"}),  # the query in this order
        ("first.home", {"_anchor": "notes"}),
        ("first.home", {"_external": True}),
        ("static", {"filename": "staff.css"}),
    ],
)
def test_an_address_is_what_flask_builds_asked_once_or_again(
    endpoint: str, values: dict[str, object]
) -> None:
    app = _small_app()
    with app.test_request_context("/first/home"):
        expected = url_for(endpoint, **values)
        assert kept_url_for(endpoint, **values) == expected
        assert kept_url_for(endpoint, **values) == expected


def test_a_relative_name_is_the_asking_blueprints() -> None:
    app = _small_app()
    with app.test_request_context("/first/home"):
        assert kept_url_for(".home") == "/first/home"
    with app.test_request_context("/second/home"):
        assert kept_url_for(".home") == "/second/home"


def test_an_address_follows_the_root_the_service_is_served_under() -> None:
    app = _small_app()
    with app.test_request_context("/first/home", base_url="http://shop.example/"):
        assert kept_url_for("first.home") == "/first/home"
    with app.test_request_context("/first/home", base_url="http://shop.example/returns/"):
        assert kept_url_for("first.home") == "/returns/first/home"


def test_each_app_keeps_the_addresses_of_its_own_routes() -> None:
    for app, expected in ((_small_app(), "/first/home"), (_small_app("/v2"), "/v2/first/home")):
        with app.test_request_context("/"):
            assert kept_url_for("first.home") == expected


def test_a_full_address_names_the_host_asked_for() -> None:
    app = _small_app()
    with app.test_request_context("/", base_url="http://a.example/"):
        assert kept_url_for("first.home", _external=True) == "http://a.example/first/home"
    with app.test_request_context("/", base_url="https://b.example/"):
        assert kept_url_for("first.home", _external=True) == "https://b.example/first/home"
    for host in ("a.example", "b.example"):
        with app.test_request_context("/", base_url=f"http://{host}/"):
            link = kept_url_for("first.home", _scheme="https")
            assert link == f"https://{host}/first/home"


def test_values_that_cannot_be_kept_are_built_each_time() -> None:
    app = _small_app()
    with app.test_request_context("/"):
        assert kept_url_for("first.home", tag=["a", "b"]) == "/first/home?tag=a&tag=b"
        assert kept_url_for("first.home", tag=["c"]) == "/first/home?tag=c"


def test_an_app_whose_blueprints_add_values_builds_every_address() -> None:
    app = _small_app()

    @app.url_defaults
    def _language(endpoint: str, values: dict[str, object]) -> None:
        values.setdefault("lang", g.lang)

    for lang in ("ja", "en"):
        with app.test_request_context("/"):
            g.lang = lang
            assert kept_url_for("first.home") == f"/first/home?lang={lang}"


def test_a_template_rendered_outside_a_request_builds_its_addresses() -> None:
    app = _small_app()
    app.config["SERVER_NAME"] = "mail.example"
    with app.app_context():
        link = render_template_string("{{ url_for('first.home') }}")
    assert link == "http://mail.example/first/home"


def test_the_service_s_templates_keep_their_addresses(app: Flask) -> None:
    assert app.jinja_env.globals["url_for"] is kept_url_for
