"""gunicorn settings for AP Hub (`gunicorn --config deploy/gunicorn.conf.py wsgi:app`). Read from the environment,
so the same file serves a PaaS, a VM's systemd unit and the smoke test."""
import os
import shutil
import tempfile

bind = os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Requests are logged by the app itself (JSON, with the request id and route); gunicorn's own errors to stderr.
accesslog = None
errorlog = "-"
# X-Forwarded-* are handled by the app's ProxyFix (PROXY_HOPS); gunicorn itself trusts only loopback.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Recycle workers now and then so a slow leak never grows without limit.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200

# Prometheus multiprocess mode: each worker writes its figures to files here and /metrics adds them up. Set
# before any worker imports prometheus_client; emptied at start so a dead generation's figures do not linger.
_own_dir = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _own_dir:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="aphub-metrics-")


def on_starting(server):
    folder = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):
        if name.endswith(".db"):
            os.remove(os.path.join(folder, name))


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _own_dir:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
