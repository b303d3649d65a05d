"""Integration settings: each one switched on needs all its pieces, named when missing;
credentials never show; the admin list tells which are on without any of them."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from returns_service.auth.models import Role
from returns_service.config import Settings
from returns_service.setting_values import ConfigError
from tests.shop import Shop


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"RETURNS_WAREHOUSE_SYSTEM": "logiless"}, "RETURNS_LOGILESS_MERCHANT_ID"),
        (
            {"RETURNS_WAREHOUSE_SYSTEM": "logiless", "RETURNS_LOGILESS_MERCHANT_ID": "12"},
            "RETURNS_LOGILESS_ACCESS_TOKEN",
        ),
        ({"RETURNS_WAREHOUSE_SYSTEM": "openlogi"}, "RETURNS_WAREHOUSE_SYSTEM"),
        ({"RETURNS_SHOPIFY_RETURNS_MIRROR": "true"}, "RETURNS_SHOPIFY_API_BASE"),
        ({"RETURNS_ZENDESK_API_BASE": "https://shop.zendesk.com"}, "RETURNS_ZENDESK_EMAIL"),
        (
            {
                "RETURNS_ZENDESK_API_BASE": "https://shop.zendesk.com",
                "RETURNS_ZENDESK_EMAIL": "desk@shop.example",
                "RETURNS_ZENDESK_API_TOKEN": "t",
            },
            "RETURNS_ZENDESK_WEBHOOK_SECRET",
        ),
        ({"RETURNS_LINE_CHANNEL_SECRET": "s"}, "RETURNS_LINE_CHANNEL_ACCESS_TOKEN"),
        ({"RETURNS_ZENDESK_API_BASE": "shop.zendesk.com"}, "RETURNS_ZENDESK_API_BASE"),
        ({"RETURNS_LOGILESS_REFRESH_TOKEN": "r"}, "RETURNS_LOGILESS_CLIENT_ID"),
        (
            {"RETURNS_LOGILESS_REFRESH_TOKEN": "r", "RETURNS_LOGILESS_CLIENT_ID": "c"},
            "RETURNS_LOGILESS_CLIENT_SECRET",
        ),
        ({"RETURNS_LINE_LOGIN_CHANNEL_ID": "1656"}, "RETURNS_LINE_LOGIN_CHANNEL_SECRET"),
        (
            {"RETURNS_LINE_LOGIN_CHANNEL_ID": "1656", "RETURNS_LINE_LOGIN_CHANNEL_SECRET": "s"},
            "RETURNS_LINE_CHANNEL_SECRET",
        ),
    ],
)
def test_a_missing_or_wrong_piece_is_named_at_start(environ: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        Settings.from_environ(environ)


def test_complete_settings_start_and_never_show_their_secrets() -> None:
    settings = Settings.from_environ(
        {
            "RETURNS_WAREHOUSE_SYSTEM": "logiless",
            "RETURNS_LOGILESS_MERCHANT_ID": "12",
            "RETURNS_LOGILESS_ACCESS_TOKEN": "logiless-secret-token",
            "RETURNS_LINE_CHANNEL_SECRET": "line-secret",
            "RETURNS_LINE_CHANNEL_ACCESS_TOKEN": "line-secret-token",
            "RETURNS_LOGILESS_REFRESH_TOKEN": "logiless-refresh-token",
            "RETURNS_LOGILESS_CLIENT_ID": "logiless-app",
            "RETURNS_LOGILESS_CLIENT_SECRET": "logiless-client-secret",
            "RETURNS_LINE_LOGIN_CHANNEL_ID": "1656789012",
            "RETURNS_LINE_LOGIN_CHANNEL_SECRET": "line-login-secret",
        }
    )
    shown = repr(settings)
    assert "logiless_merchant_id='12'" in shown and "line_login_channel_id='1656789012'" in shown
    for secret in (
        "logiless-secret-token",
        "line-secret",
        "line-secret-token",
        "logiless-refresh-token",
        "logiless-client-secret",
        "line-login-secret",
    ):
        assert secret not in shown and secret not in str(settings)


def test_the_admin_list_shows_what_is_on_and_no_credentials(
    shop: Shop, token_for: Callable[[Role], dict[str, str]], configure: Callable[..., None]
) -> None:
    configure(LINE_CHANNEL_SECRET="line-secret", LINE_CHANNEL_ACCESS_TOKEN="line-token")
    answer = shop.client.get("/api/v1/integrations", headers=token_for(Role.ADMIN))
    assert answer.status_code == 200
    assert {item["name"]: item["enabled"] for item in answer.json} == {
        "warehouse_system": False,
        "shopify_returns": False,
        "zendesk": False,
        "line": True,
    }
    assert "line-secret" not in answer.get_data(as_text=True)
    assert shop.client.get("/api/v1/integrations", headers=shop.agent).status_code == 403
    refused = shop.client.post(
        "/api/v1/integrations/warehouse/stock-sync", headers=token_for(Role.ADMIN)
    )
    assert refused.status_code == 409 and "RETURNS_WAREHOUSE_SYSTEM" in refused.json["message"]
