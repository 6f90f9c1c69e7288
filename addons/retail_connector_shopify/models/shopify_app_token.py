# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import hashlib

from odoo import fields, models


def credentials_key(shop_domain, base_url, client_id, client_secret):
    """Which app and shop a token was obtained for (a digest: no secret is stored twice)."""
    raw = "\x1f".join(str(part or "") for part in (shop_domain, base_url, client_id, client_secret))
    return hashlib.sha256(raw.encode()).hexdigest()


class ShopifyAppToken(models.Model):
    """The Admin API token a Dev Dashboard app obtained for a backend, in a row of its
    own: renewing it (in a transaction of its own, committed at once for every worker)
    never writes the backend's row, which jobs update in their own transactions."""

    _name = "shopify.app.token"
    _description = "Shopify App Access Token"

    backend_id = fields.Many2one("retail.backend", required=True, ondelete="cascade", index=True)
    token = fields.Char(required=True, groups="base.group_system")
    expires_at = fields.Datetime()
    credentials_key = fields.Char(required=True, help="Digest of the shop and app the token was obtained for.")

    _backend_uniq = models.Constraint("UNIQUE(backend_id)", "A backend has one app token.")

    def _read_row(self, cr, backend_id):
        """``(token, expires_at, credentials_key)`` as ``cr`` sees it, or Nones."""
        cr.execute(
            "SELECT token, expires_at, credentials_key FROM shopify_app_token WHERE backend_id = %s", (backend_id,)
        )
        return cr.fetchone() or (None, None, None)

    def _store_row(self, cr, backend_id, token, expires_at, key):
        cr.execute(
            """
            INSERT INTO shopify_app_token (backend_id, token, expires_at, credentials_key,
                                           create_uid, create_date, write_uid, write_date)
            VALUES (%s, %s, %s, %s, %s, now() at time zone 'UTC', %s, now() at time zone 'UTC')
            ON CONFLICT (backend_id) DO UPDATE
               SET token = EXCLUDED.token, expires_at = EXCLUDED.expires_at,
                   credentials_key = EXCLUDED.credentials_key, write_date = EXCLUDED.write_date
            """,
            (backend_id, token, expires_at or None, key, self.env.uid, self.env.uid),
        )
