"""gunicorn's settings for ``make serve``, each from the environment:

- ``HOST``/``PORT``: where to listen (``127.0.0.1:8000``: behind a proxy on the same machine; set
  ``HOST=0.0.0.0`` for a proxy elsewhere);
- ``WEB_CONCURRENCY``: worker processes (twice the CPU cores plus one);
- ``GUNICORN_TIMEOUT``: seconds a request may take before its worker is restarted (60);
- ``FORWARDED_ALLOW_IPS``: the proxies trusted to say the request came over HTTPS
  (``X-Forwarded-Proto``; gunicorn's default, 127.0.0.1 and ::1).

Requests are logged by the app (framework.logs), so gunicorn's own access log stays off; its error log
goes to standard error in the app's ``LOG_FORMAT``."""

import multiprocessing
import os

from config.settings.base import logging_config

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (staggered), bounding what any leak can grow to.
max_requests = 2000
max_requests_jitter = 200
# The app is loaded once, before the workers fork: a bad setting stops the server at once.
preload_app = True
accesslog = None
errorlog = "-"
logconfig_dict = logging_config(os.environ.get("LOG_FORMAT", "json"), os.environ.get("LOG_LEVEL", "INFO").upper())
# gunicorn keeps its error log to itself (it does not propagate): give it the same handler.
logconfig_dict["loggers"]["gunicorn.error"] = {"handlers": ["stderr"], "level": logconfig_dict["root"]["level"]}
# No control socket: several servers may run on one machine, and their default socket path is shared.
control_socket_disable = True
