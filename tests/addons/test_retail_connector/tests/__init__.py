from . import test_partner_privacy
