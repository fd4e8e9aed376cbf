"""Administration commands (flask --app wsgi ...)."""
