"""gunicorn settings: `gunicorn -c python:weerbaar.conf.gunicorn weerbaar.wsgi`.

The access log never records the client's address or user agent: anonymous reporters are
promised that neither is kept anywhere (issue "Reports", docs/decisions/0008). The reverse
proxy in front must be configured the same way for the report paths.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", str((os.cpu_count() or 1) * 2 + 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# Request line with the query string removed would be safer still; the paths that carry
# secrets (receipt codes) take them in the POST body, never in the URL.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
