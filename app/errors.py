"""Error pages for people, JSON errors for the API."""
from flask import jsonify, render_template, request

from app import database_faults
from tenants.access import RecordNotFound


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def init_app(app) -> None:
    for code, title in ((400, "Bad request"), (403, "Not allowed"), (404, "Not found"),
                        (405, "Method not allowed"), (413, "File too large"), (429, "Too many requests"),
                        (500, "Something went wrong")):
        app.register_error_handler(code, _handler(code, title))
    # The kernel's and the services' "not found in this school": the same 404 for pages and the API.
    app.register_error_handler(RecordNotFound, _handler(404, "Not found"))

    database_faults.init_app(app)  # a unique clash is a 409, an unreachable database a 503


def _handler(code: int, title: str):
    def handle(error):
        # A 405 says which methods the address has (RFC 9110 15.5.6), as werkzeug's own answer would.
        allowed = {"Allow": ", ".join(sorted(error.valid_methods))} if getattr(error, "valid_methods", None) else {}
        if _wants_json():
            return jsonify({"error": {"status": code, "message": getattr(error, "description", title)}}), code, allowed
        return render_template("error.html", code=code, title=title,
                               description=getattr(error, "description", "")), code, allowed

    return handle
