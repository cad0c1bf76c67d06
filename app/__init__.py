"""AP Hub. The application factory is `create_app` (app/factory.py): `from app import create_app`, `flask --app app`.

This package's own module stays light on purpose: importing `app.clock` or `app.models` must not load every page,
service and job of the application (the factory imports them all), so `create_app` is looked up on first use.
"""


def __getattr__(name: str):
    if name == "create_app":
        # deferred: the factory imports the whole application; `import app.clock` must not (see the docstring)
        from app.factory import create_app

        return create_app
    raise AttributeError(f"module 'app' has no attribute {name!r}")
