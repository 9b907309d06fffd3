"""The JSON endpoints behind the device toggle, the service worker and the toggle itself."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.middleware.csrf import get_token
from django.template import Context, RequestContext, Template
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.factories import BusinessPersonFactory, MembershipFactory, UserFactory
from tests.helpers import login_verified
from tests.webpush.factories import BROWSER, PushSubscriptionFactory, subscription_json
from weerbaar.contrib.webpush.models import PushSubscription

pytestmark = pytest.mark.django_db

ENDPOINT = "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABk"
SUBSCRIBE = reverse("webpush:subscribe")
UNSUBSCRIBE = reverse("webpush:unsubscribe")


@pytest.fixture
def client() -> Client:
    """A browser that asks for English, so messages are the msgids."""
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def entrepreneur() -> Any:
    user = UserFactory(email="eva@bakkerij.example.nl")
    BusinessPersonFactory(person=user)
    return user


@pytest.fixture
def entrepreneur_client(client: Client, entrepreneur: Any) -> Client:
    login_verified(client, entrepreneur)
    return client


def post_json(client: Client, url: str, data: Any) -> Any:
    body = data if isinstance(data, str | bytes) else json.dumps(data)
    return client.post(url, body, content_type="application/json")


def test_an_entrepreneur_turns_push_on_and_off(
    entrepreneur_client: Client, entrepreneur: Any
) -> None:
    response = post_json(entrepreneur_client, SUBSCRIBE, subscription_json(ENDPOINT))
    assert response.status_code == 201
    assert response.json() == {"subscribed": True}
    assert list(entrepreneur.push_subscriptions.values_list("endpoint", flat=True)) == [ENDPOINT]

    response = post_json(entrepreneur_client, SUBSCRIBE, subscription_json(ENDPOINT))
    assert response.status_code == 201  # idempotent: still one row
    assert PushSubscription.objects.count() == 1

    response = post_json(entrepreneur_client, UNSUBSCRIBE, subscription_json(ENDPOINT))
    assert response.status_code == 200
    assert response.json() == {"removed": True}
    assert not PushSubscription.objects.exists()

    response = post_json(entrepreneur_client, UNSUBSCRIBE, {"endpoint": ENDPOINT})
    assert response.json() == {"removed": False}


@pytest.mark.parametrize("url", [SUBSCRIBE, UNSUBSCRIBE])
def test_anonymous_visitors_are_sent_to_log_in(client: Client, url: str) -> None:
    response = post_json(client, url, subscription_json(ENDPOINT))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not PushSubscription.objects.exists()


def test_staff_without_a_business_may_not_subscribe(client: Client, municipality: Any) -> None:
    staff = MembershipFactory(municipalities=[municipality]).user
    login_verified(client, staff)
    response = post_json(client, SUBSCRIBE, subscription_json(ENDPOINT))
    assert response.status_code == 403
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize("url", [SUBSCRIBE, UNSUBSCRIBE])
@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_other_methods_are_not_allowed(entrepreneur_client: Client, url: str, method: str) -> None:
    response = getattr(entrepreneur_client, method)(url)
    assert response.status_code == 405


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{not json", "The request is not valid JSON."),
        (b"\xff\xfe", "The request is not valid JSON."),
        ("", "The request is not valid JSON."),
        ("[1, 2]", "The request must be a JSON object."),
        ('"text"', "The request must be a JSON object."),
        ({"endpoint": ENDPOINT}, "The push subscription has no keys."),
        ({"endpoint": ENDPOINT, "keys": "p256dh"}, "The push subscription has no keys."),
        (
            {"keys": {"p256dh": BROWSER.p256dh, "auth": BROWSER.auth}},
            "The push subscription has no endpoint.",
        ),
        (
            {"endpoint": ENDPOINT, "keys": {"p256dh": BROWSER.p256dh}},
            "The authentication secret of the push subscription is missing.",
        ),
        (
            {"endpoint": ENDPOINT, "keys": {"p256dh": 12, "auth": BROWSER.auth}},
            "The public key (p256dh) of the push subscription is missing.",
        ),
        (
            subscription_json("https://169.254.169.254/latest/meta-data"),
            "This browser's push service is not supported.",
        ),
        (
            {"endpoint": ENDPOINT, "keys": {"p256dh": "x" * 50_000, "auth": BROWSER.auth}},
            "The request is too large for a push subscription.",
        ),
    ],
)
def test_bad_subscriptions_get_400_with_a_clear_message(
    entrepreneur_client: Client, body: Any, message: str
) -> None:
    response = post_json(entrepreneur_client, SUBSCRIBE, body)
    assert response.status_code == 400
    assert response.json() == {"error": message}
    assert not PushSubscription.objects.exists()


def test_unsubscribe_without_endpoint_gets_400(entrepreneur_client: Client) -> None:
    response = post_json(entrepreneur_client, UNSUBSCRIBE, {})
    assert response.status_code == 400
    assert response.json() == {"error": "The push subscription has no endpoint."}


def test_someone_elses_device_cannot_be_turned_off(entrepreneur_client: Client) -> None:
    theirs = PushSubscriptionFactory(endpoint=ENDPOINT)
    response = post_json(entrepreneur_client, UNSUBSCRIBE, {"endpoint": ENDPOINT})
    assert response.json() == {"removed": False}
    assert PushSubscription.objects.get().user == theirs.user


def test_subscribing_a_device_of_someone_else_moves_it_to_me(
    entrepreneur_client: Client, entrepreneur: Any
) -> None:
    PushSubscriptionFactory(endpoint=ENDPOINT)
    response = post_json(entrepreneur_client, SUBSCRIBE, subscription_json(ENDPOINT))
    assert response.status_code == 201
    assert PushSubscription.objects.get().user == entrepreneur


def test_the_csrf_token_is_required(entrepreneur: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    login_verified(client, entrepreneur)
    assert post_json(client, SUBSCRIBE, subscription_json(ENDPOINT)).status_code == 403

    token = client.get(reverse("portal:dashboard")).context["csrf_token"]
    response = client.post(
        SUBSCRIBE,
        json.dumps(subscription_json(ENDPOINT)),
        content_type="application/json",
        headers={"x-csrftoken": str(token)},
    )
    assert response.status_code == 201


def test_the_service_worker_is_served_from_the_site_root(client: Client) -> None:
    url = reverse("webpush:service_worker")
    response = client.get(url)

    assert url == "/sw.js"
    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    script = response.content.decode()
    assert 'addEventListener("push"' in script
    assert 'addEventListener("notificationclick"' in script
    assert 'const DEFAULT_TITLE = "Weerbaar";' in script
    assert client.post(url).status_code == 405


def test_the_device_toggle_renders_nothing_without_a_vapid_key(settings: Any) -> None:
    settings.WEBPUSH_VAPID_PUBLIC_KEY = ""
    assert render_toggle().strip() == ""


def test_the_device_toggle_is_hidden_until_the_script_shows_it(settings: Any) -> None:
    settings.WEBPUSH_VAPID_PUBLIC_KEY = "BPublicKey"
    html = render_toggle()

    assert '<div class="wb-webpush" hidden data-webpush-toggle' in html
    assert 'data-public-key="BPublicKey"' in html
    assert f'data-subscribe-url="{SUBSCRIBE}"' in html
    assert f'data-unsubscribe-url="{UNSUBSCRIBE}"' in html
    assert 'data-service-worker-url="/sw.js"' in html
    assert 'data-csrf-token="' in html
    assert 'aria-live="polite"' in html
    assert 'class="utrecht-button utrecht-button--secondary-action" type="button"' in html
    assert 'type="module" src="/static/webpush/push-toggle.js"' in html


def render_toggle() -> str:
    request = RequestFactory().get("/mijn/")
    get_token(request)
    template = Template('{% include "webpush/_device_toggle.html" %}')
    return template.render(RequestContext(request, {}))


def test_template_context_is_not_needed() -> None:
    # Rendered without a request the toggle still works out its own settings.
    assert (
        Template("{% load webpush %}{% webpush_config as w %}{{ w.subscribe_url }}").render(
            Context({})
        )
        == SUBSCRIBE
    )
