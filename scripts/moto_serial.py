"""moto's server on 127.0.0.1, serving one request at a time.

In its default threaded mode moto let two conditional writers win in 4-8 % of rounds here
(measured here); served serially it is exact. Prints the bound port as the first line on stdout.
usage: python moto_serial.py [PORT]   (0 or nothing: the kernel picks a free port)
"""
import sys

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
app = DomainDispatcherApplication(create_backend_app)
server = make_server("127.0.0.1", port, app, threaded=False, request_handler=MotoRequestHandler)
print(server.port, flush=True)
server.serve_forever()
