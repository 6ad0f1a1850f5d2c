"""A page that does not grow with the data: for the tests that fill one program or policy."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

# The most any HTML page may weigh, whatever the data size.
MAX_PAGE_BYTES = 150_000
# The queries of every page's frame, besides its own: the site's contact details (the header's link
# to the city's website, the footer's department, address and phone).
PAGE_FRAME_QUERIES = 1


def get_bounded_page(client, path: str, *, like: str, max_queries: int, assert_max_num_queries):
    """GET `path` (a page over much data): under MAX_PAGE_BYTES, at most `max_queries` queries
    (`assert_max_num_queries` is pytest-django's fixture) and as many as the page `like` (the
    same page over little data) runs."""
    with CaptureQueriesContext(connection) as small:
        assert client.get(like).status_code == 200
    with assert_max_num_queries(max_queries), CaptureQueriesContext(connection) as big:
        response = client.get(path)
    assert response.status_code == 200
    assert len(big) == len(small)
    assert len(response.content) < MAX_PAGE_BYTES
    return response
