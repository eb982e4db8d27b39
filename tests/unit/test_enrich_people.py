"""Presenters and programmes: combined hosts, grids, host sections, DJ lists, role tables, feeds, shells."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from totalaudio.services.enrich import feeds, people, schedule, shows
from totalaudio.services.enrich.extract import parse
from totalaudio.services.enrich.render import looks_like_shell


def test_combined_hosts_are_people():
    assert shows.split_people("Andy and Kerry Brittain") == ["Andy Brittain", "Kerry Brittain"]
    assert shows.split_people("MC Blaze & DJ Sparx") == ["MC Blaze", "DJ Sparx"]
    assert shows.split_people("Jose Esparza/DJ Joe E") == ["Jose Esparza", "DJ Joe E"]
    assert not shows.full_names("Annie and Amy") and shows.full_names("Andy and Kerry Brittain")


def test_a_grid_cell_keeps_first_names_in_the_title_and_takes_full_names_as_hosts():
    assert schedule.grid_cell("Alphabetical with Annie and Amy") == ("Alphabetical with Annie and Amy", None)
    assert schedule.grid_cell("Drive with Jo Kerrigan") == ("Drive", "Jo Kerrigan")
    assert schedule.grid_cell("That's good, init!") == ("That's good, init!", None)


def test_sponsors_and_bodies_are_not_presenters():
    assert shows.from_block("The Chart Show  Sundays 4pm  presented by Acme Motors", None, None, "u").host is None
    assert shows.person("Federal Communication Commission") is None
    assert shows.person("Yolanda Cardenas, M.D.") == "Yolanda Cardenas"


def test_host_sections_skip_staff_and_role_lines():
    tree = LexborHTMLParser("<h2>Staff Bios</h2><h3>Silvia Rivera</h3><p>Station manager.</p>"
                            "<h2>Host Bios</h2><h3>Jesus Ortiz</h3><p>He sits behind the mic on Thursdays.</p>"
                            "<h3>Mei Tanaka</h3><p>Head of Music</p>")
    assert people.section_hosts(tree) == ["Jesus Ortiz"]


def test_dj_lists_in_prose_and_role_tables():
    text = 'The Official DJs are: DJ Greedy "The Rock", DJ Rocktonic, DJ Felix V and DJ Panic.'
    assert people.listed_djs(text) == ["DJ Greedy", "DJ Rocktonic", "DJ Felix V", "DJ Panic"]
    tree = LexborHTMLParser("<table><tr><th>Role</th><th>Name</th></tr><tr><td>Resident DJ</td>"
                            "<td>Nathan Invincible</td></tr><tr><td>Treasurer</td><td>Ann Lee</td></tr></table>")
    assert people.role_rows(tree) == ["Nathan Invincible"]


def test_a_show_page_names_its_host_in_its_lead_sentence_or_in_another_language():
    page = parse("<div><h2>CINEYMUSICA (Spanish)</h2><p>Saturdays 10:30 AM<br>Oscar Diaz highlights movie "
                 "soundtracks.</p></div>", "https://x.org/cineymusica.php")
    assert ("CINEYMUSICA", "Oscar Diaz") in {(s.name, s.host) for s in page.shows}
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
