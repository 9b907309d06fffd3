"""SMS for the delivery outbox: alerts to mobile phones through a gateway (issue #4).

The pieces
    phone.py    `normalise_phone()` / `normalise_mobile()`: what people type (06-12345678,
                +31 (0)6 ..., 0032 ...) as E.164, or None; SMS goes to mobile numbers only.
                `INVALID_MOBILE_MESSAGE` and `validate_mobile` for forms.
    gateway.py  the `SmsGateway` interface, its three errors (rejected: permanent; gateway
                error: temporary; unavailable: stop the batch) and `get_gateway()`.
    cm.py       CM.com Business Messaging, the production gateway (JSON API, product token,
                timeouts; every answer, garbage included, maps to a result or an error).
    console.py  the development gateway: logs each message with the number masked and
                keeps the last ones in memory (`console.sent_messages`) for tests and demos.
    text.py     `compose_sms()`: short text (else subject) plus link, fitted into three SMS
                parts, counting GSM-7 and UCS-2 the way the network does.
    channel.py  `SmsChannel`, the outbox channel "sms" (registered from apps.py), mapping
                gateway errors onto the outbox's retry rules.

Settings (conf/includes/sms.py; docs/configuration.md)
    SMS_GATEWAY            "console" (default) or "cm"
    SMS_SENDER             sender shown on the phone: at most 11 letters/digits, or a number
    SMS_TIMEOUT_SECONDS    connect and read timeout of each gateway call (default 5)
    SMS_CM_PRODUCT_TOKEN   CM product token (needed for "cm")
    SMS_CM_URL             CM endpoint (default https://gw.messaging.cm.com/v1.0/message)

`manage.py check` refuses an unknown gateway, a sender carriers would refuse, and "cm"
without a token.

Not here yet: CM's status report webhook (delivered / failed on the phone) and a place on
the Delivery row for the provider's reference; acceptance by the gateway counts as sent.
"""
