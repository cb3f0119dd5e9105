"""Gateway settings: where the services are, how tokens are checked, how cookies are set."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from habitat_common.coop import CoopSettings
from habitat_common.settings import AuthSettings, TelemetrySettings
from habitat_common.web.client_address import LOOPBACK, TrustedProxies
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# in a checkout: services/gateway/src/habitat_gateway/config.py -> the repository's docs/guides
CHECKOUT_GUIDES = Path(__file__).resolve().parents[4] / "docs" / "guides"


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", env_nested_delimiter="__", extra="ignore")

    identity_url: str = "http://127.0.0.1:8101"
    contributions_url: str = "http://127.0.0.1:8102"
    ledger_url: str = "http://127.0.0.1:8103"
    notifications_url: str = "http://127.0.0.1:8104"
    upstream_timeout_seconds: float = 10.0
    upstream_max_connections: int = 100
    cookie_secure: bool = Field(default=True, description="Secure cookies; browsers allow them on http://localhost")
    ui_refresh_seconds: int = 15
    trusted_proxies: TrustedProxies = Field(
        default=LOOPBACK,
        description="Peers whose X-Forwarded-For is believed (GATEWAY_TRUSTED_PROXIES, comma-separated addresses"
        " or networks: Caddy's); never `*`",
    )
    guides_dir: Path = Field(
        default=CHECKOUT_GUIDES,
        description="GATEWAY_GUIDES_DIR: the Markdown guides served at /guides (the image copies docs/guides here)",
    )
    response_contract_log: Path | None = Field(
        default=None,
        description="GATEWAY_RESPONSE_CONTRACT_LOG (test stacks): check every /api/v1 JSON answer against its declared"
        " model and status, and append each mismatch to this file (habitat_gateway.response_contract)",
    )
    dashboard_cache_entries: int = Field(
        default=5000, ge=0,
        description="GATEWAY_DASHBOARD_CACHE_ENTRIES: members' dashboards kept in memory between their polls, dropped"
        " when identity's, contributions' or the ledger's member change feed names the member"
        " (habitat_gateway.dashboard_cache); 0 keeps none",
    )
    dashboard_cache_max_age_seconds: float = Field(
        default=300.0, gt=0, description="The longest a dashboard is kept, whatever the feeds say"
    )
    member_changes_poll_seconds: float = Field(default=1.0, gt=0, description="How often each feed is polled")
    member_changes_overlap_seconds: float = Field(
        default=15.0, ge=0,
        description="How far back each poll re-reads (a writer's transaction may commit after later ones)",
    )
    coop: CoopSettings = Field(default_factory=CoopSettings, description="HABITAT_COOP_TIME_ZONE: whose today")
    auth: AuthSettings = AuthSettings()
    telemetry: TelemetrySettings = TelemetrySettings()


@lru_cache
def get_settings() -> GatewaySettings:
    return GatewaySettings()
