# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Access tokens of apps made in Shopify's Dev Dashboard (plain Python, no ORM).

Since 2026 a shop's own app is created in the Dev Dashboard: it has a client ID
and a client secret, and exchanges them for an Admin API access token valid for
about 24 hours (OAuth 2.0 client credentials grant, RFC 6749 section 4.4). The
secret also signs the app's webhooks. Apps made in the shop admin before then
keep their non-expiring token and need none of this.
"""

from datetime import timedelta

from odoo.addons.retail_connector_base.lib import transport
from odoo.addons.retail_connector_base.lib.retry import ChannelError, PermanentError

#: a token is renewed this long before Shopify says it expires (requests in flight)
RENEW_MARGIN = timedelta(minutes=5)


def token_url(shop_domain, base_url=None):
    root = (base_url or f"https://{shop_domain}").rstrip("/")
    return f"{root}/admin/oauth/access_token"


def request_token(shop_domain, client_id, client_secret, base_url=None, session=None, timeout=30):
    """Exchange the app's credentials for an access token:
    ``{"access_token", "expires_in" (seconds, None if it never expires), "scope"}``."""
    if not (client_id and client_secret):
        raise PermanentError("The app's client ID and client secret are both needed for a token.")
    try:
        _response, payload = transport.request_json(
            "POST",
            token_url(shop_domain, base_url),
            session=session,
            timeout=timeout,
            json={"client_id": client_id, "client_secret": client_secret, "grant_type": "client_credentials"},
            headers={"Accept": "application/json"},
        )
    except ChannelError as error:
        if error.kind in ("throttled", "transient"):
            raise
        # the answer may echo what was sent: say what failed, never the credentials
        raise PermanentError(
            f"Shopify refused the app credentials of {shop_domain} (client ID {client_id}): check the client "
            "ID and secret in the Dev Dashboard and that the app is installed on the shop."
        ) from None
    if not isinstance(payload, dict) or not payload.get("access_token"):
        raise PermanentError(f"Shopify answered the token request of {shop_domain} without an access token.")
    expires_in = payload.get("expires_in")
    return {
        "access_token": payload["access_token"],
        "expires_in": int(expires_in) if expires_in not in (None, "") else None,
        "scope": payload.get("scope") or "",
    }


def token_is_fresh(expires_at, now):
    """Whether a token expiring at ``expires_at`` can still be used at ``now``."""
    return bool(expires_at) and expires_at - RENEW_MARGIN > now
