"""The HTTP side of `sluice serve` as the integration suites use it: JSON requests and Server-Sent
Events streams, over the standard library's http.client. Shared by tests/sql, tests/console_api and
tests/metrics."""

import http.client
import json


def request(server, method, path, body=None):
    """(status, decoded JSON body) of one request; `body` is sent as is (str) or as JSON (dict)."""
    if isinstance(body, dict):
        body = json.dumps(body)
    c = http.client.HTTPConnection(server.host, server.http_port, timeout=30)
    try:
        c.request(method, path, body=body)
        r = c.getresponse()
        return r.status, json.loads(r.read().decode())
    finally:
        c.close()


def get(server, path):
    return request(server, "GET", path)


class EventStream:
    """An open SSE response: `status` and `content_type`, and next() → the next (event, data) pair,
    data decoded as JSON."""

    def __init__(self, server, path):
        self.conn = http.client.HTTPConnection(server.host, server.http_port, timeout=30)
        self.conn.request("GET", path)
        self.response = self.conn.getresponse()
        self.status = self.response.status
        self.content_type = self.response.getheader("Content-Type")

    def next(self):
        name, data = None, []
        while True:
            line = self.response.fp.readline()
            assert line, "the stream ended"
            line = line.decode().rstrip("\n")
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data.append(line[6:])
            elif line == "" and name:
                return name, json.loads("\n".join(data))

    def close(self):
        self.conn.close()
