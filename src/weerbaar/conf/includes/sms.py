"""SMS through a gateway (contrib/sms): the console in development, CM.com in production."""

from weerbaar.conf.environ import config

SMS_GATEWAY = config(
    "SMS_GATEWAY",
    "console",
    help="'console' logs SMS messages and sends nothing; 'cm' sends through CM.com "
    "(needs SMS_CM_PRODUCT_TOKEN).",
)
SMS_SENDER = config(
    "SMS_SENDER",
    "Weerbaar",
    help="Sender shown on the phone: at most 11 letters, digits and spaces, or a phone "
    "number of at most 16 digits.",
)
SMS_TIMEOUT_SECONDS = config(
    "SMS_TIMEOUT_SECONDS",
    5.0,
    cast=float,
    help="Connect and read timeout, each, of one call to the SMS gateway.",
)
SMS_CM_PRODUCT_TOKEN = config(
    "SMS_CM_PRODUCT_TOKEN", "", help="CM.com product token (header X-CM-PRODUCTTOKEN)."
)
SMS_CM_URL = config(
    "SMS_CM_URL",
    "https://gw.messaging.cm.com/v1.0/message",
    help="CM.com Business Messaging endpoint for sending messages.",
)
