"""gunicorn settings of an AlemTrust app server, used by deploy/systemd/alemtrust-web.service
and the Procfile:

    gunicorn --config deploy/gunicorn.conf.py 'portal:create_app("config.ProductionConfig")'

Each value can be changed from the environment (the same env file as the portal's settings):

- WEB_BIND: the address to listen on. Default 127.0.0.1:8000 (nginx on the same machine); on
  a machine of its own, its private address (10.0.0.11:8000), never a public one. On a
  platform that sets PORT (Heroku-like), 0.0.0.0:$PORT.
- WEB_CONCURRENCY: worker processes (default 2 × CPU cores + 1). Each is one request at a
  time; nginx buffers slow clients, so this many requests run at once per server.
- WEB_TIMEOUT: seconds a request may take before its worker is restarted (default 60;
  nginx's proxy_read_timeout is a little longer).
"""
import multiprocessing
import os

bind = os.environ.get("WEB_BIND") or (f"0.0.0.0:{os.environ['PORT']}" if os.environ.get("PORT")
                                      else "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"
timeout = int(os.environ.get("WEB_TIMEOUT") or 60)
graceful_timeout = 30  # a restart lets running requests finish this long
keepalive = 5
# a worker is replaced after this many requests (a slow leak never grows for long)
max_requests = 2000
max_requests_jitter = 200
# to stdout / stderr: the journal under systemd, the platform's log elsewhere
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("WEB_LOG_LEVEL") or "info"
