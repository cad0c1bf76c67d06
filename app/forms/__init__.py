"""Flask-WTF forms (CSRF on every one), grouped by what they are for."""
