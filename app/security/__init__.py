"""What a public server must close: passwords, rate limits, sessions, CSRF, origins, sizes, headers.

Each middleware here is a small pure-ASGI class with one job; `app.main.create_app` installs them
in order. The pure helpers (password policy, rate-limit decisions) know nothing of HTTP or the
database and are unit-tested with explicit times.
"""
