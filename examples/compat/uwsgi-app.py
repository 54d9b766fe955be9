# A WSGI application for compat-uwsgi.policy: one answer, with the pid of
# the uWSGI worker that served it.
import os


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello from uwsgi worker %d\n" % os.getpid()]
