from tests.helpers import sign_in


def test_sign_in_and_see_key_contacts(client, world):
    response = sign_in(client, world.users["a.ap_leader"])
    assert response.status_code == 302
    page = client.get("/alder/key-contacts")
    assert page.status_code == 200
    assert "A Alternative Provision Leader" in page.get_data(as_text=True)
    assert client.get("/birch/key-contacts").status_code == 404
