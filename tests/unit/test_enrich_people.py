"""Presenters and programmes: combined hosts, grids, host sections, DJ lists, role tables, feeds, shells."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from totalaudio.services.enrich import feeds, people, schedule, shows
from totalaudio.services.enrich.extract import parse
from totalaudio.services.enrich.render import looks_like_shell


def test_combined_hosts_are_people():
    assert shows.split_people("Andy and Kerry Brittain") == ["Andy Brittain", "Kerry Brittain"]
    assert shows.split_people("MC Blaze & DJ Sparx") == ["MC Blaze", "DJ Sparx"]
    assert shows.split_people("Luis Pardo/DJ Lu P") == ["Luis Pardo", "DJ Lu P"]
    assert not shows.full_names("Annie and Amy") and shows.full_names("Andy and Kerry Brittain")


def test_a_grid_cell_keeps_first_names_in_the_title_and_takes_full_names_as_hosts():
    assert schedule.grid_cell("Tea Time with Kit and Lou") == ("Tea Time with Kit and Lou", None)
    assert schedule.grid_cell("Drive with Jo Kerrigan") == ("Drive", "Jo Kerrigan")
    assert schedule.grid_cell("Well, Honestly!") == ("Well, Honestly!", None)


def test_sponsors_and_bodies_are_not_presenters():
    assert shows.from_block("The Chart Show  Sundays 4pm  presented by Acme Motors", None, None, "u").host is None
    assert shows.person("National Broadcasting Commission") is None
    assert shows.person("Rosa Delgado, M.D.") == "Rosa Delgado"


def test_host_sections_skip_staff_and_role_lines():
    tree = LexborHTMLParser("<h2>Staff Bios</h2><h3>Ines Vidal</h3><p>Station manager.</p>"
                            "<h2>Host Bios</h2><h3>Marco Ruiz</h3><p>He sits behind the mic on Thursdays.</p>"
                            "<h3>Yuki Mori</h3><p>Head of Music</p>")
    assert people.section_hosts(tree) == ["Marco Ruiz"]


def test_dj_lists_in_prose_and_role_tables():
    text = 'Our resident DJs are: DJ Sol "The Sun", DJ Lumen, DJ Kite V and DJ Moth.'
    assert people.listed_djs(text) == ["DJ Sol", "DJ Lumen", "DJ Kite V", "DJ Moth"]
    tree = LexborHTMLParser("<table><tr><th>Role</th><th>Name</th></tr><tr><td>Resident DJ</td>"
                            "<td>Jo Bloggs</td></tr><tr><td>Treasurer</td><td>Ann Lee</td></tr></table>")
    assert people.role_rows(tree) == ["Jo Bloggs"]


def test_a_show_page_names_its_host_in_its_lead_sentence_or_in_another_language():
    page = parse("<div><h2>NOCHE DE CINE (Spanish)</h2><p>Saturdays 10:30 AM<br>Ana Ruiz spins movie "
                 "soundtracks.</p></div>", "https://x.org/noche-de-cine.php")
    assert ("NOCHE DE CINE", "Ana Ruiz") in {(s.name, s.host) for s in page.shows}
    page = parse("<div class='emission'><h2>La Boîte à Chansons</h2><p>Samedi 10:00 – 12:00, animée par "
                 "François Lefèvre et Chloé Dubois.</p></div>", "https://x.fr/emissions/")
    assert any(s.host and "Chloé Dubois" in s.host for s in page.shows)


def test_feeds_read_programmes_not_gigs():
    data = {"@graph": [{"@type": "Event", "name": "Gig", "performer": {"name": "The Band"}, "startDate": "x"},
                       {"@type": "BroadcastEvent", "name": "Nuit Dub", "performer": {"name": "Karim Benali"}}],
            "schedule": [{"show": "Low Tide", "dj": "marta quinn", "time": "Tuesdays 9pm", "tags": ["techno"]}]}
    found = feeds.read(data, "https://x/")
    assert {(s.name, s.host) for s in found.shows} == {("Nuit Dub", "Karim Benali"), ("Low Tide", "marta quinn")}
    assert found.genres == [("Techno", "Low Tide")]


def test_shells_are_told_from_small_static_pages():
    shell = '<html><body><noscript>Please enable JavaScript.</noscript><div id="app"></div></body></html>'
    small = '<html><body><script type="application/ld+json">{}</script><p>Ok FM. We play jazz.</p></body></html>'
    assert looks_like_shell(shell, parse(shell, "https://x/"))
    assert not looks_like_shell(small, parse(small, "https://x/"))
