"""Authentication: email + password + TOTP for staff, magic link for entrepreneurs, OIDC."""

from weerbaar.conf.environ import config

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # axes must come first so that locked-out credentials never reach the other backends.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # One-time login links for entrepreneurs (accounts/services.py consumes the link).
    "weerbaar.accounts.backends.MagicLinkBackend",
    # Municipal SSO and the eHerkenning broker (settings.OIDC_PROVIDERS).
    "weerbaar.contrib.oidc.backends.ProviderOIDCBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SESSION_COOKIE_AGE = config(
    "SESSION_COOKIE_AGE", 8 * 3600, help="Seconds a login session lasts without activity."
)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Login rate limiting (django-axes): lock a username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = config(
    "AXES_FAILURE_LIMIT", 5, help="Failed logins before the username+IP pair is locked."
)
AXES_COOLOFF_TIME = config(
    "AXES_COOLOFF_HOURS", 1, help="Hours a locked-out username+IP pair has to wait."
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# "Too Many Requests" for a locked-out login (also axes' default since 8.x; stated on purpose).
AXES_HTTP_RESPONSE_CODE = 429
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = config("AXES_ENABLED", True, help="Enable login rate limiting.")

OTP_TOTP_ISSUER = config("OTP_TOTP_ISSUER", "Weerbaar", help="Issuer shown in authenticator apps.")
# Only the development settings may honour User.second_factor_exempt (printed demo accounts).
ALLOW_SECOND_FACTOR_EXEMPTION = False

MAGIC_LINK_TTL_MINUTES = config(
    "MAGIC_LINK_TTL_MINUTES", 15, help="Minutes an emailed login link stays valid."
)
MAGIC_LINK_REQUESTS_PER_HOUR = config(
    "MAGIC_LINK_REQUESTS_PER_HOUR",
    5,
    help="Login links one email address (or one client) may request per hour.",
)
# Development only: show the magic link on the page as well as emailing it.
SHOW_MAGIC_LINK_ON_PAGE = False
