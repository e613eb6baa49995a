import pytest


@pytest.mark.django_db
def test_home_anonymous_shows_landing_with_local_styles(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"/static/bootstrap/css/bootstrap.min.css" in response.content
