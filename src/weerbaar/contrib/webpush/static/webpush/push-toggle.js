// Push notifications on or off for this device (templates/webpush/_device_toggle.html).
// Progressive enhancement: the toggle stays hidden unless this browser can do web push and
// has not blocked notifications for the site. Texts and URLs come from data attributes.

// An error whose message is meant for the person (from the server, or one of our texts).
class ToggleError extends Error {}

const supported =
  "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;

for (const root of document.querySelectorAll("[data-webpush-toggle]")) {
  if (supported && Notification.permission !== "denied") {
    setUp(root).catch(() => {
      root.hidden = true; // no service worker here (private window, http): offer nothing
    });
  }
}

async function setUp(root) {
  const texts = root.dataset;
  const button = root.querySelector("[data-webpush-button]");
  const status = root.querySelector("[data-webpush-status]");
  const applicationServerKey = keyBytes(texts.publicKey);
  const registration = await navigator.serviceWorker.register(texts.serviceWorkerUrl, {
    scope: "/",
  });
  let subscription = await registration.pushManager.getSubscription();
  if (subscription && !sameKey(subscription, applicationServerKey)) {
    // Made with a VAPID key we no longer have: it cannot receive anything.
    await subscription.unsubscribe();
    subscription = null;
  }
  if (subscription && Notification.permission === "granted") {
    // Tell the server this browser belongs to whoever is logged in now.
    post(texts.subscribeUrl, subscription.toJSON()).catch(() => {});
  }

  const show = (on, message) => {
    button.textContent = on ? texts.labelOff : texts.labelOn;
    status.textContent = message ?? (on ? texts.statusOn : texts.statusOff);
  };
  show(Boolean(subscription));
  root.hidden = false;

  button.addEventListener("click", async () => {
    button.disabled = true;
    status.textContent = texts.statusBusy;
    try {
      if (subscription) {
        await post(texts.unsubscribeUrl, { endpoint: subscription.endpoint }).catch(() => {});
        await subscription.unsubscribe();
        subscription = null;
        show(false);
      } else {
        const permission = await Notification.requestPermission();
        if (permission !== "granted") {
          show(false, permission === "denied" ? texts.statusBlocked : texts.statusOff);
          return;
        }
        const created = await registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey,
        });
        try {
          await post(texts.subscribeUrl, created.toJSON());
        } catch (error) {
          await created.unsubscribe(); // the server does not know it: do not pretend
          throw error;
        }
        subscription = created;
        show(true);
      }
    } catch (error) {
      show(Boolean(subscription), error instanceof ToggleError ? error.message : texts.statusFailed);
    } finally {
      button.disabled = Notification.permission === "denied";
    }
  });

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual", // a redirect means the session ended: it leads to the login page
      headers: {
        Accept: "application/json",
        "Content-Type": "application/json",
        "X-CSRFToken": texts.csrfToken,
      },
      body: JSON.stringify(body),
    });
    if (response.type === "opaqueredirect") throw new ToggleError(texts.statusLoggedOut);
    if (!response.ok) {
      const answer = await response.json().catch(() => ({}));
      throw new ToggleError(answer.error || texts.statusFailed);
    }
    return response.json();
  }
}

function keyBytes(base64url) {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (char) => char.charCodeAt(0));
}

function sameKey(subscription, key) {
  const current = subscription.options && subscription.options.applicationServerKey;
  if (!current) return true; // the browser does not tell: assume it is ours
  const bytes = new Uint8Array(current);
  return bytes.length === key.length && bytes.every((byte, index) => byte === key[index]);
}
