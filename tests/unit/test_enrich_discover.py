"""Link scores, hidden links, sitemap parsing and listed show names."""

from __future__ import annotations

from totalaudio.services.enrich import discover
from totalaudio.services.enrich.extract import parse
from totalaudio.services.enrich.shows import programs_in_text


def test_staff_pages_outrank_show_lists_and_low_value_pages_lose_points():
    score = discover.link_score
    assert score("https://r.org/about/staff/", "Staff") > score("https://r.org/programs/", "Programs")
    assert score("https://r.org/programs/", "Programs") > score("https://r.org/programs/apply/", "Apply")
    assert score("https://r.org/contact", "") > score("https://r.org/contact?page=2", "")
    assert score("https://r.org/a/b/c/d/contact", "") < score("https://r.org/contact", "")
    assert score("https://r.org/wp-content/x.js", "contact") == 0


def test_script_links_keep_same_origin_pages_only():
    scripts = ['router.add("/contact"); fetch("/api/data.json"); go("https://other.org/team"); '
               'x = "http://r.org/submit-music/"; y = "//cdn.org/x"; z = "a/b"']
    found = sorted(discover.script_links(scripts, "http://r.org/"))
    assert found == ["http://r.org/contact", "http://r.org/submit-music/"]


def test_onclick_targets():
    assert discover.onclick_link("window.location.href='/about'", "http://r.org/x") == "http://r.org/about"
    assert discover.onclick_link("window.open('https://r.org/team')", "http://r.org/") == "https://r.org/team"
    assert discover.onclick_link("doThing(); return false;", "http://r.org/") is None


def test_sitemaps_and_sitemap_indexes():
    pages, children = discover.sitemap_urls("<urlset><url><loc> https://r.org/a?x=1&amp;y=2 </loc></url></urlset>")
    assert pages == ["https://r.org/a?x=1&y=2"] and children == []
    pages, children = discover.sitemap_urls('<?xml version="1.0"?><sitemapindex><sitemap><loc>https://r.org/'
                                            'post-sitemap.xml</loc></sitemap><sitemap><loc>https://r.org/page-sitemap'
                                            '.xml</loc></sitemap></sitemapindex>')
    assert pages == [] and sorted(children, key=discover.child_sitemap_rank)[0].endswith("page-sitemap.xml")


def test_parse_collects_hidden_links_but_not_stylesheets():
    html = ('<html><head><link rel="stylesheet" href="/s.css"><link rel="contact" href="/reach-us"></head>'
            '<body><div class="item" url="/join">JOIN</div><span data-href="/shows">Shows</span></body></html>')
    hidden = dict(parse(html, "http://r.org/").hidden)
    assert hidden == {"http://r.org/join": "JOIN", "http://r.org/shows": "Shows", "http://r.org/reach-us": "contact"}


def test_show_names_listed_in_prose():
    text = "We air current affairs programs covering\xa0many topics, including News 101 and\xa0Arts Report. Tune in."
    assert programs_in_text(text) == ["News 101", "Arts Report"]
    assert programs_in_text("Specialist shows such as The Night Shift, Jazz Hour & Dub Club.") == [
        "The Night Shift", "Jazz Hour", "Dub Club"]
    assert programs_in_text("Our shows include genres like Punk, Hip Hop and Rock.") == []
    assert programs_in_text("We like shows. Staff including Jane Smith") == []


SCHEDULE = """<html><body><table><thead><tr><th>Day</th><th>Time</th><th>Show</th><th>Presenter</th></tr></thead>
<tbody><tr><td>Monday</td><td>6am - 9am</td><td>Breakfast Brew</td><td>Jane Smith</td></tr>
<tr><td>Wednesday</td><td>1pm</td><td>Talkback</td><td>Station Manager</td></tr></tbody></table>
<table><tr><th>Time</th><th>Monday</th><th>Tuesday</th><th>Wednesday</th></tr>
<tr><td>7pm</td><td>Jazz Hour with Sam Lee</td><td>Punk Rock Hour</td><td></td></tr></table>
<table><tr><th>Name</th><th>Role</th><th>Email</th></tr>
<tr><td>Bob Jones</td><td>Manager</td><td>b@x.org</td></tr></table>
</body></html>"""


def test_schedule_tables_are_read_by_their_header_and_staff_tables_are_not():
    shows = {(s.name, s.day, s.time, s.host) for s in parse(SCHEDULE, "http://r.org/schedule").shows}
    assert shows == {("Breakfast Brew", "Monday", "6am - 9am", "Jane Smith"),
                     ("Talkback", "Wednesday", "1pm", None),
                     ("Jazz Hour", "Monday", "7pm", "Sam Lee"), ("Punk Rock Hour", "Tuesday", "7pm", None)}


def test_menu_and_footer_links_are_marked():
    html = ('<html><body><nav><a href="/contact">Contact</a></nav>'
            '<p><a href="/contact-form">contact</a></p></body></html>')
    assert parse(html, "http://r.org/").nav == {"http://r.org/contact"}


def test_show_names_in_passing_count_less_than_a_schedule():
    from totalaudio.services.enrich import confidence
    from totalaudio.services.enrich.record import ScrapedData
    from totalaudio.services.enrich.shows import ShowInfo

    named = ScrapedData(show_info=[ShowInfo("News 101")])
    scheduled = ScrapedData(show_info=[ShowInfo("News 101", day="Monday")])
    assert confidence.score(scheduled, None, 1, 0) - confidence.score(named, None, 1, 0) == 5
    assert confidence.score(named, None, 1, 3) == confidence.score(named, None, 1, 0) - 10
