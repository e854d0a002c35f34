"""gunicorn settings for production: `gunicorn -c python:aftersales.gunicorn_conf aftersales.wsgi`.

Everything can be overridden by the environment (GUNICORN_CMD_ARGS) or the command line.
Threads let one process keep answering while another request waits on the database; the number
of processes follows the CPUs. See docs/deploy.md for the measured sizing.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))  # PDFs of long audits take a few seconds
graceful_timeout = 30
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))  # recycle workers: bounds slow leaks
max_requests_jitter = 200
accesslog = os.environ.get("GUNICORN_ACCESSLOG")  # None: the app's own request log (LOG_FORMAT=json)
errorlog = "-"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
