"""Web push (contrib/webpush): urgent alerts as a notification on a phone or computer.

Keys are a VAPID (RFC 8292) P-256 key pair in base64url, as `manage.py generate_vapid_keys`
prints them. Without a public key the portal offers no push toggle, so nobody subscribes.
"""

from weerbaar.conf.environ import config

WEBPUSH_SENDER = config(
    "WEBPUSH_SENDER",
    "fake",
    help="'vapid' sends through the browsers' push services (needs the VAPID keys and "
    "subject), 'fake' only records pushes in memory (development, tests).",
)
WEBPUSH_VAPID_PUBLIC_KEY = config(
    "WEBPUSH_VAPID_PUBLIC_KEY",
    "",
    help="VAPID public key (base64url, 87 characters); browsers subscribe with it. Empty: "
    "the portal does not offer push notifications.",
)
WEBPUSH_VAPID_PRIVATE_KEY = config(
    "WEBPUSH_VAPID_PRIVATE_KEY",
    "",
    help="VAPID private key (base64url, 43 characters), the pair of the public key. Secret.",
)
WEBPUSH_VAPID_SUBJECT = config(
    "WEBPUSH_VAPID_SUBJECT",
    "",
    help="Contact for the push services, as mailto:address or an https: URL.",
)
WEBPUSH_TIMEOUT_SECONDS = config(
    "WEBPUSH_TIMEOUT_SECONDS",
    5.0,
    cast=float,
    help="Connect+read timeout of one request to a push service.",
)
# The server POSTs to whatever endpoint a browser hands in, so only the push services of the
# browsers are accepted: an endpoint can never aim the worker at an internal address.
WEBPUSH_ALLOWED_ENDPOINT_HOSTS = config(
    "WEBPUSH_ALLOWED_ENDPOINT_HOSTS",
    [
        "fcm.googleapis.com",
        "updates.push.services.mozilla.com",
        "push.services.mozilla.com",
        "push.apple.com",
        "notify.windows.com",
    ],
    help="Comma-separated push service hosts a subscription may point to; each also "
    "allows its subdomains.",
)
