"""Reports: the receipt-code pepper and the limits of the public intake."""

from weerbaar.conf.environ import config

RECEIPT_CODE_PEPPER = config(
    "RECEIPT_CODE_PEPPER",
    "",
    help="Secret mixed into the stored hash of anonymous reporters' receipt codes. Empty: "
    "derived from SECRET_KEY (then rotating SECRET_KEY makes existing codes stop working; set "
    "this in production and never change it).",
)
REPORT_INTAKE_RATE = config(
    "REPORT_INTAKE_RATE",
    "30/hour",
    help="Public report submissions per client (API and web form), as DRF rate 'n/period'.",
)
