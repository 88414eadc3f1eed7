"""Settings by environment: ``development`` (manage.py's default), ``production`` (wsgi/asgi's
default) and ``test``. Everything that varies between installations comes from the environment."""
