"""gunicorn, as configured by gunicorn.conf.py, lets no client header shape the WSGI environment
beyond what the deployment needs: a SCRIPT_NAME header (trusted by default from the proxy's
address, which is where a proxy on the same host connects from) and the old X-Forwarded-SSL /
X-Forwarded-Protocol forms are ignored; X-Forwarded-Proto stays for the TLS proxy."""

import http.client
import json

import pytest

pytestmark = pytest.mark.slow


def get(port: int, path: str, headers: dict) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1", **headers})
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


@pytest.mark.parametrize("path", ["/", "/programs/", "/programs/palbok-art-factory/"])
@pytest.mark.parametrize("prefix", ["/evilprefix", "/programs"])
def test_a_script_name_header_is_ignored(served_site, path, prefix):
    status, body = get(served_site.port, path, {"SCRIPT_NAME": prefix, "Script-Name": prefix})
    assert status == 200
    assert f"{prefix}/policies/" not in body and "/evilprefix" not in body


def test_only_x_forwarded_proto_can_mark_a_request_secure(served_site):
    for header in ({"X-Forwarded-SSL": "on"}, {"X-Forwarded-Protocol": "ssl"}):
        status, body = get(served_site.port, "/programs/download.json", header)
        assert status == 200, header
        assert json.loads(body)["url"].startswith("http://"), header
    status, body = get(served_site.port, "/programs/download.json", {"X-Forwarded-Proto": "https"})
    assert status == 200
    assert json.loads(body)["url"].startswith("https://")
