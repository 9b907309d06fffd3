"""External systems (contrib/*): KvK API, PDOK Locatieserver and OIDC providers."""

from weerbaar.conf.environ import config

KVK_CLIENT = config(
    "KVK_CLIENT",
    "fake",
    help="'http' for the real KvK API (needs KVK_API_KEY), 'fake' for the offline demo data.",
)
KVK_API_BASE_URL = config(
    "KVK_API_BASE_URL", "https://api.kvk.nl/api", help="Base URL of the KvK API."
)
KVK_API_KEY = config("KVK_API_KEY", "", help="KvK API key (header 'apikey').")
KVK_API_TIMEOUT = config(
    "KVK_API_TIMEOUT_SECONDS", 5.0, cast=float, help="Connect+read timeout for KvK calls."
)

# PDOK Locatieserver: public address search, no key. Asked while a person types in the
# report form, so the timeout is short; the form works without it.
PDOK_CLIENT = config(
    "PDOK_CLIENT",
    "fake",
    help="'http' for the real PDOK Locatieserver, 'fake' for the offline sample addresses.",
)
PDOK_LOCATIESERVER_URL = config(
    "PDOK_LOCATIESERVER_URL",
    "https://api.pdok.nl/bzk/locatieserver/search/v3_1",
    help="Base URL of the PDOK Locatieserver search API (the client adds /free).",
)
PDOK_TIMEOUT_SECONDS = config(
    "PDOK_TIMEOUT_SECONDS", 3.0, cast=float, help="Connect+read timeout for PDOK calls."
)

# OIDC providers. Each provider is enabled when its client id is set. The eHerkenning
# provider is a broker that turns an eHerkenning login into OIDC claims.
OIDC_PROVIDERS = {
    slug: {
        "label": config(f"OIDC_{env}_LABEL", label, help=f"Button label for {label}."),
        "client_id": config(f"OIDC_{env}_CLIENT_ID", "", help=f"{label}: client id."),
        "client_secret": config(f"OIDC_{env}_CLIENT_SECRET", "", help=f"{label}: secret."),
        "authorization_endpoint": config(
            f"OIDC_{env}_AUTHORIZATION_ENDPOINT", "", help=f"{label}: authorization endpoint."
        ),
        "token_endpoint": config(
            f"OIDC_{env}_TOKEN_ENDPOINT", "", help=f"{label}: token endpoint."
        ),
        "userinfo_endpoint": config(
            f"OIDC_{env}_USERINFO_ENDPOINT", "", help=f"{label}: userinfo endpoint."
        ),
        "jwks_endpoint": config(f"OIDC_{env}_JWKS_ENDPOINT", "", help=f"{label}: JWKS URL."),
        "issuer": config(
            f"OIDC_{env}_ISSUER", "", help=f"{label}: expected issuer (iss) of ID tokens."
        ),
        "sign_algo": config(f"OIDC_{env}_SIGN_ALGO", "RS256", help=f"{label}: token algorithm."),
        "scopes": config(f"OIDC_{env}_SCOPES", scopes, help=f"{label}: requested scopes."),
        "kvk_claim": config(
            f"OIDC_{env}_KVK_CLAIM", "kvk", help=f"{label}: claim holding the KvK number."
        ),
        "establishment_claim": config(
            f"OIDC_{env}_ESTABLISHMENT_CLAIM",
            "vestigingsnummer",
            help=f"{label}: claim holding the vestigingsnummer.",
        ),
        "timeout": config(
            f"OIDC_{env}_TIMEOUT_SECONDS", 5.0, cast=float, help=f"{label}: HTTP timeout."
        ),
    }
    for slug, env, label, scopes in [
        ("sso", "SSO", "Gemeentelijk account (SSO)", "openid email profile"),
        ("eherkenning", "EHERKENNING", "eHerkenning", "openid email profile"),
    ]
}
