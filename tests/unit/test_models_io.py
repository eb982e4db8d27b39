"""camelCase JSON, header matching, name splitting, formula-safe cells."""

from totalaudio.models import Contact, to_json
from totalaudio.services.contacts.service import canonical, clean_list, safe_cell, split_name, STATUS_ALIASES
from totalaudio.services.contacts.io import map_headers


def test_to_json_is_camel_case():
    data = to_json(Contact(id="c_1", email="a@b.co", first_name="Jo", airtable_id="rec1", genres=("Indie",)))
    assert data["firstName"] == "Jo" and data["airtableId"] == "rec1" and data["genres"] == ["Indie"]
    assert "first_name" not in data


def test_header_matching_is_flexible():
    mapping = map_headers(["E-mail", "Name", "Outlet", "Region / Country", "Favourite Biscuit", "Genre"])
    assert mapping == {"E-mail": "email", "Name": "name", "Outlet": "station", "Region / Country": "region",
                       "Favourite Biscuit": "extra:Favourite Biscuit", "Genre": "genres"}
    assert map_headers(["Email Address", "Company"])["Company"] == "station"


def test_split_name_keeps_particles():
    assert split_name("Seán Ó Briain") == ("Seán", "Ó Briain")
    assert split_name("Jo Van der Berg") == ("Jo", "Van der Berg")
    assert split_name("Cher") == ("Cher", None)


def test_lists_and_selects():
    assert clean_list("Indie, indie ,Drum & Bass;Folk|") == ["Indie", "Drum & Bass", "Folk"]
    assert canonical("Opted-In", STATUS_ALIASES) == "opted-in"
    assert canonical("Hard Bounce", STATUS_ALIASES) == "bounced"
    assert canonical("Some New Status", STATUS_ALIASES) == "some-new-status"


def test_safe_cell_neutralises_formulas():
    assert safe_cell('=HYPERLINK("http://x","y")').startswith("'=")
    assert safe_cell("+44 20 7946 0000") == "'+44 20 7946 0000"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)" and safe_cell("Plain") == "Plain" and safe_cell(None) == ""
