"""Who is reviewing, signed in through ``st.login``: ``[auth]`` in secrets points the studio at a real
OpenID Connect provider (``oidc-provider-mock``: discovery, authorisation form, tokens, JWKS, on
127.0.0.1), the reviewer signs in with an e-mail, and that e-mail becomes the reviewer id: shown in
the sidebar and carried by a rating all the way to HoneyHive (the emulator)."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests
from browser_support import choose_option, chromium_page, free_port, live_studio, open_app, wait_for_app_run

pytestmark = pytest.mark.browser
TASK = "Sandbox - Email Writer"
EMAIL = "dana.oidc@example.com"


@contextmanager
def oidc_provider() -> Iterator[str]:
    """A real OIDC provider on a free loopback port, in this process; yields its issuer URL. Any
    client id and secret are accepted, and the login form takes a subject, which becomes the
    user's ``email`` claim."""
    import oidc_provider_mock
    import werkzeug.serving

    server = werkzeug.serving.make_server("127.0.0.1", 0, oidc_provider_mock.app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def _auth_secrets(path, *, issuer: str, studio_port: int) -> None:
    path.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{studio_port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "hive-review-studio"\n'
        f'client_secret = "{secrets.token_hex(16)}"\n'
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n'
    )


def _stored_feedback(emulator, generation_id: str, timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        answer = requests.get(
            f"{emulator.url}/generations",
            params={"task": TASK},
            headers={"Authorization": f"Bearer {emulator.api_key}"},
            timeout=5,
        )
        answer.raise_for_status()
        row = next(g for g in answer.json() if g["generation_id"] == generation_id)
        if row.get("feedback") or time.monotonic() > deadline:
            return row.get("feedback") or {}
        time.sleep(0.1)


def test_st_login_through_a_real_oidc_provider_gives_the_reviewer_id(tmp_path):
    studio_port = free_port()
    with oidc_provider() as issuer:
        assert requests.get(f"{issuer}/.well-known/openid-configuration", timeout=5).json()["issuer"] == issuer
        secrets_file = tmp_path / "secrets.toml"
        _auth_secrets(secrets_file, issuer=issuer, studio_port=studio_port)
        env = {"STREAMLIT_SECRETS_FILES": str(secrets_file)}
        with (
            live_studio(tmp_path, reviewer="", api_key="browser-oidc-key", extra_env=env, port=studio_port) as (
                url,
                emulator,
            ),
            chromium_page() as page,
        ):
            open_app(page, url)
            # [auth] configured, nobody signed in: a log-in button and no reviewer id to type.
            page.get_by_text("Sign in to review.").wait_for()
            assert page.get_by_test_id("stSidebar").get_by_role("textbox", name="Reviewer id").count() == 0
            page.get_by_role("button", name="Log in").click()

            # The provider's own login form (another origin): the subject typed is the e-mail claim.
            page.wait_for_url(f"{issuer}/**")
            page.locator("input[name='sub']").fill(EMAIL)
            page.get_by_role("button", name="Authorize").click()

            # Back in the studio, through /oauth2callback: signed in, the e-mail is the reviewer id.
            page.wait_for_url(f"{url}/**")
            wait_for_app_run(page)
            sidebar = page.get_by_test_id("stSidebar")
            sidebar.get_by_text("Reviewing as").wait_for()
            assert EMAIL in sidebar.inner_text() and "(signed in)" in sidebar.inner_text()
            assert sidebar.get_by_role("textbox", name="Reviewer id").count() == 0

            # A rating given now carries that reviewer id to HoneyHive.
            choose_option(page, "Task", TASK)
            page.get_by_role("textbox", name="topic").fill("single sign-on rollout")
            page.get_by_role("textbox", name="tone").fill("plain")
            page.get_by_role("button", name="Run").click()
            wait_for_app_run(page)
            page.get_by_test_id("stCode").filter(has_text="single sign-on rollout").first.wait_for()
            page.get_by_role("radio", name="Thumbs up").click()
            wait_for_app_run(page)
            page.get_by_role("button", name="Submit rating").click()
            wait_for_app_run(page)
            page.get_by_text("Rating delivered to HoneyHive").wait_for(timeout=20_000)
            generation_id = page.get_by_text("Generation id").first.inner_text().split()[-1]
            stored = _stored_feedback(emulator, generation_id)
            assert stored["reviewer"] == EMAIL
            assert stored["accepted"] is True
