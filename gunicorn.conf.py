"""gunicorn settings for Sopeli, read from the environment (``gunicorn -c gunicorn.conf.py``).

SOPELI_BIND      address to listen on            (default 127.0.0.1:8000; behind nginx keep it local)
SOPELI_WORKERS   worker processes                (default 2 × CPU cores + 1, at most 8)
SOPELI_THREADS   threads per worker              (default 4; gthread workers)
SOPELI_TIMEOUT   seconds before a stuck worker is restarted (default 30)
SOPELI_ACCESS_LOG  "-" for stdout, a file path, or empty for none (default "-")

gunicorn's own GUNICORN_CMD_ARGS and command-line flags still override these.
"""

import multiprocessing
import os

wsgi_app = "sopeli.wsgi:application"
bind = os.environ.get("SOPELI_BIND", "127.0.0.1:8000").split(",")
workers = int(os.environ.get("SOPELI_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 8)))
# Threaded workers (gthread), not plain sync ones. Sopeli's requests mostly wait (for PostgreSQL, for a
# row lock, for the mail server), and a rush is bursty: 200 applicants pressing "submit" in the last
# seconds before a deadline. A sync worker takes one request at a time and the rest queue in the listen
# backlog, where nothing has looked at the clock yet; with threads, each request starts at once, is
# stamped on arrival (sopeli/core/arrival.py) and is judged by that stamp however long it then waits.
# More threads than cores is fine for waiting; more processes would not help (2 cores here), and each
# thread may hold a database connection: workers × threads × app servers must stay under PostgreSQL's
# max_connections (100 by default): 5 × 4 = 20 per server on 2 cores.
worker_class = "gthread"
threads = max(1, int(os.environ.get("SOPELI_THREADS", "4")))
timeout = int(os.environ.get("SOPELI_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Restart workers now and then so a slow leak cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
accesslog = os.environ.get("SOPELI_ACCESS_LOG", "-") or None
errorlog = "-"
# The app trusts X-Forwarded-* only when SOPELI_BEHIND_PROXY is on (see settings); gunicorn
# does the same for the proxy's own address.
forwarded_allow_ips = os.environ.get("SOPELI_FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn 24+ opens a control socket at ~/.gunicorn/gunicorn.ctl; two servers on one machine (say
# `make run` and `make bench`) would fight over it, and Sopeli does not use it. Older gunicorns
# ignore this name.
control_socket_disable = True
