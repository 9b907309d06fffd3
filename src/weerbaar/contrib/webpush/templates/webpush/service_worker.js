{% autoescape off %}// Weerbaar's service worker, served from /sw.js (weerbaar.contrib.webpush.views): shows a
// push message as a notification and opens its page when the notification is clicked.
// The payload is JSON from contrib/webpush/channel.py: {title, body, url, tag, lang}.
"use strict";

const DEFAULT_TITLE = "{{ default_title|escapejs }}";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  let message = {};
  if (event.data) {
    try {
      message = event.data.json();
    } catch (error) {
      message = { body: event.data.text() };
    }
  }
  const options = { body: message.body || "", data: { url: pageUrl(message.url) } };
  if (message.tag) options.tag = message.tag;
  if (message.lang) options.lang = message.lang;
  event.waitUntil(self.registration.showNotification(message.title || DEFAULT_TITLE, options));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = pageUrl(event.notification.data && event.notification.data.url);
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const open = windows.find((client) => client.url === url && "focus" in client);
      if (open) return open.focus();
      return self.clients.openWindow ? self.clients.openWindow(url) : undefined;
    })
  );
});

// Only web pages; anything else (javascript:, data:) opens the start page.
function pageUrl(candidate) {
  try {
    const url = new URL(candidate || "/", self.location.origin);
    if (url.protocol === "https:" || url.protocol === "http:") return url.href;
  } catch (error) {
    // not a URL: fall through
  }
  return new URL("/", self.location.origin).href;
}
{% endautoescape %}
