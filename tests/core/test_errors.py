"""Friendly error pages, never a stack trace."""


def test_not_found_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "<h1>Page not found</h1>" in html
    assert "Traceback" not in html


def test_server_error_page_has_no_trace(make_app):
    app = make_app(TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "problem with the service" in html
    assert "secret internals" not in html and "Traceback" not in html
    assert response.headers["Content-Security-Policy"]


def test_wrong_method_is_friendly(client):
    response = client.post("/events/")
    assert response.status_code in (400, 405)
    assert "Traceback" not in response.get_data(as_text=True)
