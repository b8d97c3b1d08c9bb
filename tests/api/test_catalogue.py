import pytest
from rest_framework.test import APIClient


@pytest.mark.parametrize(
    ("path", "minimum"),
    [
        ("agencies", 13),
        ("municipalities", 26),
        ("laws", 35),
        ("provisions", 100),
        ("terms", 40),
        ("forbund", 5),
    ],
)
def test_catalogue_lists_are_complete(api: APIClient, path: str, minimum: int) -> None:
    response = api.get(f"/api/v1/{path}/", {"page_size": 500})
    assert response.status_code == 200
    assert response.json()["count"] >= minimum


def test_law_detail_by_sfs_number(api: APIClient) -> None:
    body = api.get("/api/v1/laws/2001:453/").json()
    assert body["tag_id"] == "law:2001:453"
    assert body["replaced_by"] == "2025:400"


def test_provision_detail_by_tag_id(api: APIClient) -> None:
    body = api.get("/api/v1/provisions/prov:2010:110#K27P48/".replace("#", "%23")).json()
    assert body["law"] == "2010:110"
    assert body["citation"] == "27 kap. 48 § SFB"


def test_agency_detail_by_code(api: APIClient) -> None:
    assert api.get("/api/v1/agencies/FK/").json()["tag_id"] == "agency:FK"
    assert api.get("/api/v1/agencies/NOPE/").status_code == 404


def test_catalogue_is_read_only(api: APIClient) -> None:
    assert api.post("/api/v1/agencies/", {"code": "X", "name": "X"}).status_code == 405


def test_catalogue_needs_login() -> None:
    assert APIClient().get("/api/v1/laws/").status_code in (401, 403)


def test_token_authentication(staff, db) -> None:
    client = APIClient()
    token = client.post(
        "/api/v1/auth/token/", {"username": "staff", "password": "correct-horse-battery"}
    ).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/laws/").status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Token wrong")
    assert client.get("/api/v1/laws/").status_code == 401


def test_schema_and_docs_are_served(api: APIClient) -> None:
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/deviations/" in paths
    parameters = {p["name"] for p in paths["/api/v1/deviations/"]["get"]["parameters"]}
    assert {"agency", "law", "provision", "municipality", "occurred_after", "page"} <= parameters
    assert api.get("/api/docs/").status_code == 200


def _provisions(api: APIClient, search: str) -> list[dict[str, str]]:
    response = api.get("/api/v1/provisions/", {"search": search, "page_size": 500})
    assert response.status_code == 200
    return response.json()["results"]


def test_provision_search_filters_by_citation_law_and_title_words(api: APIClient) -> None:
    everything = api.get("/api/v1/provisions/", {"page_size": 500}).json()["count"]
    rows = _provisions(api, "27 kap. 48")
    assert [row["tag_id"] for row in rows] == ["prov:2010:110#K27P48"]
    osl = _provisions(api, "offentlighets")  # a word of OSL's title, not of its citations
    assert osl
    assert {row["law"] for row in osl} == {"2009:400"}
    sfb = _provisions(api, "SFB")
    assert 0 < len(sfb) < everything
    assert {row["law"] for row in sfb} == {"2010:110"}
    assert _provisions(api, "ingetsådantord") == []
    assert len(_provisions(api, "")) == everything  # an empty search leaves the list whole


def test_law_search_finds_a_word_inside_a_title(api: APIClient) -> None:
    response = api.get("/api/v1/laws/", {"search": "offentlighets", "page_size": 500})
    assert [row["sfs"] for row in response.json()["results"]] == ["2009:400"]
    # "sekretess" is inside OSL's title and is the old Sekretesslag (1980:100) itself.
    response = api.get("/api/v1/laws/", {"search": "sekretess", "page_size": 500})
    assert [row["sfs"] for row in response.json()["results"]] == ["1980:100", "2009:400"]


def test_law_search_finds_a_statute_numbered_outside_sfs(api: APIClient) -> None:
    """Arbetsförmedlingen's own regulations are numbered "AFFS 2016:3", not an SFS number;
    the schema fuzz found the search answering 500 for them."""
    response = api.get("/api/v1/laws/", {"search": "AFFS 2016", "page_size": 500})
    assert response.status_code == 200
    assert "AFFS 2016:3" in [row["sfs"] for row in response.json()["results"]]


def test_agency_search_by_name_or_code(api: APIClient) -> None:
    response = api.get("/api/v1/agencies/", {"search": "försäkrings"})
    assert [row["code"] for row in response.json()["results"]] == ["FK"]
    response = api.get("/api/v1/agencies/", {"search": "csn"})
    assert [row["code"] for row in response.json()["results"]] == ["CSN"]
