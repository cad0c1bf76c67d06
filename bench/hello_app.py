"""A hello-world Flask app: the benchmark's yardstick for throughput under the same gunicorn settings as AP Hub
(`gunicorn --config deploy/gunicorn.conf.py bench.hello_app:app`)."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, world!"


@app.get("/healthz")
def healthz():
    return "ok"
