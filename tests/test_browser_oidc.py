"""OIDC sign-in in real Chromium against a real OpenID provider process (oidc-provider-mock): the app's
``st.login`` redirect, the provider's authorization form, the callback, ``st.user``'s claims mapped by
config/oidc_claims.yaml (xiaoneng/oidc.py) to a user and scope; an unmapped user is refused."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from tests.test_browser import (
    ARTIFACTS,
    Server,
    _free_port,
    browser,
    browser_page,
    county_options,
    playwright_sync,
    pytestmark,
    server_data,
    stop_process_group,
    streamlit_server,
    wait_until_answers,
)
from xiaoneng import audit

__all__ = ["browser", "pytestmark"]  # fixtures and marks used from tests/test_browser.py
pytest.importorskip("oidc_provider_mock", reason="oidc-provider-mock is not installed (requirements-dev.txt)")
pytest.importorskip("authlib", reason="Authlib is not installed (requirements.txt)")


@pytest.fixture(scope="module")
def provider(tmp_path_factory) -> Iterator[str]:
    """The OpenID provider, a process on a free port."""
    port = _free_port()
    log = (tmp_path_factory.mktemp("oidc-log") / "provider.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "oidc_provider_mock", "--port", str(port)],
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answers(f"{url}/.well-known/openid-configuration", process)
        yield url
    finally:
        stop_process_group(process)
        log.close()


@pytest.fixture(scope="module")
def oidc_server(tmp_path_factory, provider) -> Iterator[Server]:
    """The app with an [auth] section in its secrets file pointing at ``provider``."""
    port = _free_port()
    secrets_file = tmp_path_factory.mktemp("oidc-secrets") / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "xiaoneng"\n'
        'client_secret = "xiaoneng-test-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n', encoding="utf-8")
    with streamlit_server(server_data(tmp_path_factory), tmp_path_factory.mktemp("oidc-app-log"),
                          "--secrets.files", str(secrets_file), port=port) as url:
        yield url


@pytest.fixture
def anonymous(browser):
    with browser_page(browser) as page:
        yield page


def set_claims(provider: str, sub: str, claims: dict) -> None:
    """What the provider will say about ``sub`` (its users API)."""
    request = urllib.request.Request(f"{provider}/users/{urllib.parse.quote(sub)}", method="PUT",
                                     data=json.dumps(claims).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 204


def sign_in_with_provider(page, app: str, sub: str) -> None:
    """The provider's button on the sign-in page, then the provider's form: type the subject, authorize."""
    page.goto(app)
    page.get_by_role("button", name="使用统一身份认证登录").click()
    page.get_by_placeholder("sub").fill(sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{app}/**")


def audit_entries(server: Server) -> list[dict]:
    return list(audit.entries(server.data / "audit" / "audit.jsonl"))


def test_a_mapped_county_user_signs_in_and_sees_only_their_county(provider, oidc_server, anonymous):
    expect = playwright_sync.expect
    page = anonymous
    set_claims(provider, "oidc-c02", {"preferred_username": "wang.c02", "name": "王五",
                                      "groups": ["staff", "xiaoneng-county"], "county_codes": ["C02"]})
    sign_in_with_provider(page, oidc_server, "oidc-c02")
    page.wait_for_selector('[data-testid="stMetric"]')
    expect(page.get_by_text("已登录：王五（县区用户）")).to_be_visible()
    assert county_options(page) == ["乙县"]  # the county filter offers C02 alone
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "oidc-county-c02.png"))
    signed_in = [e for e in audit_entries(oidc_server) if e["action"] == "sign_in" and e["user"] == "wang.c02"]
    assert [(e["scope"], e["details"]) for e in signed_in] == [(["C02"], {"role": "county", "source": "oidc"})]


def test_an_unmapped_user_is_refused(provider, oidc_server, anonymous):
    expect = playwright_sync.expect
    page = anonymous
    set_claims(provider, "oidc-outsider", {"preferred_username": "outsider", "groups": ["staff"]})
    sign_in_with_provider(page, oidc_server, "oidc-outsider")
    expect(page.get_by_text("统一身份认证账户 outsider 未分配本看板的角色，不能登录。请联系管理员。")).to_be_visible()
    expect(page.get_by_role("button", name="退出统一身份认证")).to_be_visible()
    expect(page.locator('[data-testid="stMetric"]')).to_have_count(0)
    expect(page.locator('[data-testid="stSidebarNav"]')).to_have_count(0)
    page.reload()  # still refused: the provider's identity stays, the dashboard's answer too
    expect(page.get_by_text("统一身份认证账户 outsider 未分配本看板的角色，不能登录。请联系管理员。")).to_be_visible()
    refused = [e for e in audit_entries(oidc_server) if e["action"] == "sign_in_failed" and e["user"] == "outsider"]
    assert [e["details"]["reason"] for e in refused][:1] == ["no_role"]
    assert not [e for e in audit_entries(oidc_server) if e["action"] == "sign_in" and e["user"] == "outsider"]
