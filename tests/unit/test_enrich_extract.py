"""Extraction rules: emails and phones, profiles, forms, genres, shows, station names and confidence."""

from __future__ import annotations

import pytest

from totalaudio.models import Contact
from totalaudio.services.enrich import confidence, contacts, forms, genres, shows, social
from totalaudio.services.enrich.discover import link_score
from totalaudio.services.enrich.extract import MAX_DEPTH, parse, shallow
from totalaudio.services.enrich.merge import merge
from totalaudio.services.enrich.website import website_for


def cf(email: str, key: int = 0x5A) -> str:
    return f"{key:02x}" + "".join(f"{ord(c) ^ key:02x}" for c in email)


@pytest.mark.parametrize("text, expected", [
    ("write to music [at] edgeradio.org.au . We", ["music@edgeradio.org.au"]),
    ("demos (at) station (dot) org (dot) uk please", ["demos@station.org.uk"]),
    ("mail JO AT station DOT com", ["jo@station.com"]),
    ("email Andy at music@citr.ca.To follow up", ["music@citr.ca"]),
    ("you@example.com logo@2x.png favicon-48@2x.png git@github.com 71037844@N00 user@domain.com", []),
    ("kcpr91.3asi [at] gmail.com", ["kcpr91.3asi@gmail.com"]),
])
def test_emails_in_text(text, expected):
    assert contacts.emails_in_text(text) == expected


def test_cloudflare_and_mailto_emails():
    assert contacts.decode_cfemail(cf("press@station.fm")) == "press@station.fm"
    assert contacts.decode_cfemail("zz") is None
    assert contacts.email_from_href("mailto:Music%40Station.org?subject=Demo") == "music@station.org"
    html = (f"<a href='/cdn-cgi/l/email-protection#{cf('a@radio.org')}'>[email protected]</a>"
            f"<span class='__cf_email__' data-cfemail='{cf('b@radio.org')}'>[email protected]</span>")
    assert parse(html, "https://radio.org/").emails == ["a@radio.org", "b@radio.org"]


def test_registration_numbers_are_not_phones():
    assert contacts.phones_in_text("ABN 12 345 678 901. Charity No. 1123456 78. Call 01632 960563") == ["01632 960563"]


def test_phones_skip_dates_years_and_bare_ids():
    text = "Tel: (03) 6226 7273, studio 0427 334 336, 805.756.5277 (805)-756-5277 in 2013-2026 on 2024-01-12 ref 123456789"
    assert contacts.phones_in_text(text) == ["(03) 6226 7273", "0427 334 336", "805.756.5277"]


@pytest.mark.parametrize("url, platform, handle", [
    ("http://www.facebook.com/edgeradio993fm", "facebook", "edgeradio993fm"),
    ("https://m.facebook.com/pages/Station/123", "facebook", "Station/123"),
    ("https://twitter.com/EdgeRadio993FM/status/1", "twitter", "EdgeRadio993FM"),
    ("https://x.com/@station", "twitter", "station"),
    ("https://www.instagram.com/station/", "instagram", "station"),
    ("https://www.tiktok.com/@station?lang=en", "tiktok", "@station"),
    ("http://www.youtube.com/user/edgeradio993", "youtube", "user/edgeradio993"),
    ("https://youtube.com/@station/videos", "youtube", "@station"),
    ("https://soundcloud.com/station/a-track", "soundcloud", "station"),
    ("https://www.mixcloud.com/Howler_Radio/", "mixcloud", "Howler_Radio"),
    ("https://band.bandcamp.com/album/x", "bandcamp", "band"),
    ("https://open.spotify.com/show/abc?si=1", "spotify", "show/abc"),
    ("https://www.threads.net/@station", "threads", "@station"),
    ("https://bsky.app/profile/station.bsky.social", "bluesky", "station.bsky.social"),
])
def test_profiles_are_recognised_and_normalised(url, platform, handle):
    profile = social.profile_from_url(url)
    assert (profile.platform, profile.handle) == (platform, handle)
    assert profile.url.startswith("https://")


@pytest.mark.parametrize("url", [
    "https://www.facebook.com/sharer/sharer.php?u=x", "https://twitter.com/intent/tweet?text=x",
    "https://twitter.com/share", "https://www.instagram.com/p/abc/", "https://www.youtube.com/watch?v=x",
    "https://www.youtube.com/embed/x", "https://example.org/facebook", "https://soundcloud.com/discover",
])
def test_share_links_and_posts_are_not_profiles(url):
    assert social.profile_from_url(url) is None


def test_profiles_dedupe_by_platform_and_handle():
    urls = ["http://twitter.com/edgeradio993fm", "https://twitter.com/EdgeRadio993FM", "https://x.com/edgeradio993fm"]
    assert len(social.dedupe(social.profile_from_url(u) for u in urls)) == 1


def test_forms_contact_and_external_kept_newsletter_search_login_dropped():
    html = """
    <h2>Send us a message</h2><form action="/send"><input name="name"><input name="email"><textarea name="msg"></textarea></form>
    <form id="mc-embedded-subscribe-form" action="https://x.us5.list-manage.com/subscribe/post"><input type="email" name="EMAIL"></form>
    <form role="search"><input type="search" name="s"></form>
    <form><input name="user"><input type="password" name="pw"><input name="x"></form>
    <a href="https://docs.google.com/forms/d/e/abc/viewform">WANT A RADIO SHOW?</a>
    <a href="https://forms.gle/xyz">Subscribe to our newsletter</a>
    <iframe src="https://form.jotform.com/123"></iframe>"""
    found = parse(html, "https://radio.org/contact").forms
    assert sorted((f.kind, f.provider or "") for f in found) == [
        ("application", "Google Forms"), ("contact", ""), ("form", "Jotform")]


def test_submission_form_is_classified_as_submission():
    html = ("<form><input name='artist-name'><input name='album-name'><input type='file' name='mp3'>"
            "<input type='submit' name='submit'></form>")
    assert parse(html, "https://radio.org/music").forms[0].kind == "submission"
    assert forms.classify("Name Suburb Message submit") == "contact"


@pytest.mark.parametrize("name, canonical", [
    ("drum & bass", "Drum and Bass"), ("Drum and Bass", "Drum and Bass"), ("DnB", "Drum and Bass"),
    ("hip-hop", "Hip Hop"), ("R&B", "R&B"), ("Electronica", "Electronic"), ("nonsense", None),
])
def test_genre_aliases(name, canonical):
    assert genres.normalise(name) == canonical


def test_genre_lists_and_prose():
    assert genres.from_list_item("Hip Hop / R&B / Soul") == ["Hip Hop", "R&B", "Soul"]
    assert genres.from_list_item("Jazz/Classical") == ["Jazz", "Classical"]
    assert genres.from_prose("We play indie, drum & bass and jazz every night.") == ["Indie", "Drum and Bass", "Jazz"]
    assert genres.from_prose("Join the School of Rock program. Our indie-tas page.") == []
    assert genres.from_prose("Rock and jazz fans welcome.") == []  # no cue that it is what the station plays
    html = "<select name='genre'><option>Rock / Pop / Indie</option><option>Punk</option></select>"
    assert parse(html, "https://r.org/").genres == ["Rock", "Pop", "Indie", "Punk"]


def test_schedule_rows_give_shows_with_day_time_and_host():
    html = """<table><tr><th>Day</th><th>Time</th><th>Show</th><th>Host</th></tr>
    <tr><td>Monday</td><td>7pm - 9pm</td><td>Riot Radio</td><td class="host">Priya Gill</td></tr></table>
    <ul><li class="show"><h3>Bassline Sunday</h3> Sundays 6pm with <span>Alfie Bramley</span></li></ul>"""
    found = {s.name: s for s in parse(html, "https://r.org/shows").shows}
    assert found["Riot Radio"].day == "Monday" and found["Riot Radio"].time == "7pm - 9pm"
    assert found["Riot Radio"].host == "Priya Gill"
    assert found["Bassline Sunday"].host == "Alfie Bramley"


def test_staff_placeholders_and_prose_names_are_not_djs():
    html = """<ul><li>Station Manager - Ruth Calder</li><li>Music Directors - Eric Buckthal & Maddie Mori</li></ul>
    <div id="show_info" class="show"><div class="show_title">title</div><div class="show_dj">host</div>
    <div class="show_time">that time</div></div>
    <p>Artists like David Bowie and Aretha Franklin were played.</p>"""
    facts = parse(html, "https://r.org/about")
    assert facts.shows == [] and facts.hosts == []
    assert shows.person("Station Manager") is None and shows.person("Lorem ipsum") is None


def test_program_phrases_give_show_names():
    assert shows.programs_in_text("The MD's host the New Releases program.") == ["New Releases"]


def test_comments_scripts_and_placeholders_are_not_read():
    html = ("<!-- <show>OPEN SORCERY</show> team@old.org --><script>var e='js@radio.org'</script>"
            "<input placeholder='ultimate@example.com'><p>Hello</p>")
    facts = parse(html, "https://r.org/")
    assert facts.emails == [] and "OPEN SORCERY" not in facts.text


def test_link_scores_prefer_submission_and_contact_pages():
    assert link_score("https://r.org/submit-music", "") > link_score("https://r.org/shows", "") > 0
    assert link_score("https://r.org/contact", "Contact") > link_score("https://r.org/about", "About")
    assert link_score("https://r.org/logo.png", "contact") == 0
    assert link_score("https://r.org/news/2024/01/x", "story") == 0


def test_station_name_and_confidence_order():
    rich = parse("""<html><head><title>Home | Harbour FM 97.2</title></head><body>
        <h2>Submit your music</h2><p>Send your music to music@harbour.fm for airplay, links only please.</p>
        <a href="https://facebook.com/harbourfm">fb</a><p>We play punk and indie music.</p></body></html>""",
                 "https://harbour.fm/")
    empty = parse("<html><head><title>App</title></head><body><div id='app'></div></body></html>", "https://x.fm/")
    rich_data, rich_name = merge([rich])
    empty_data, empty_name = merge([empty])
    assert rich_name == "Harbour FM 97.2"
    assert confidence.score(rich_data, rich_name, 1, 0) >= 70 > confidence.score(empty_data, empty_name, 1, 0)
    assert confidence.score(empty_data, empty_name, 0, 3) == 0
    assert "email music@harbour.fm" in rich_data.contact_preferences


@pytest.mark.parametrize("website, email, expected", [
    ("www.station.org/shows/x", "a@gmail.com", "https://www.station.org/shows/x"),
    (None, "jo@news.station.org.uk", "https://station.org.uk/"),
    (None, "jo@gmail.com", None),
    (None, "jo@mailinator.com", None),
    ("not a url", "jo@hotmail.co.uk", None),
])
def test_website_from_field_or_organisation_email(website, email, expected):
    url, _why = website_for(Contact(id="c_1", email=email, website=website))
    assert url == expected


def test_a_page_nested_too_deep_is_read_down_to_the_limit():
    facts = parse("<html><body><p>Email music@station.org</p>" + "<div>" * 200_000 + "lost", "http://station.org/")
    assert facts.emails == ["music@station.org"] and "lost" not in facts.text
    assert facts.cut and str(MAX_DEPTH) in facts.cut


@pytest.mark.parametrize("html", [
    "<div>x</div>" * 30_000,  # many elements, all closed
    "<p>x" * 30_000 + "<li>y" * 30_000,  # end tags the HTML rules let a page leave out
    "<script>" + "'<div>'+" * 30_000 + "</script><p>z</p>",  # tags inside a script are text
    "<img src=a.png><br/>" * 30_000,
])
def test_a_big_flat_page_is_not_cut(html):
    assert shallow(html) == (html, None)


SCHEDULE = """<html><head><title>Schedule</title></head><body><h1>Programme schedule</h1><table>
<tr><td>Mondays 6pm</td><td>Homo Frecuencia</td></tr>
<tr><td>Thursdays 8pm</td><td>The Late Alternative</td></tr>
<tr><td>Saturdays 9:30am</td><td>Rock and Roll Hour</td></tr>
<tr><td>Sundays 7pm</td><td>Night Garden</td></tr></table></body></html>"""
SHOW_PAGES = [("HomoFrecuencia", "<p>Mondays 6 PM. Hosted by Ana Ruiz.</p>"),
              ("Late Alternative", "<p>Thursdays 8 PM with Sam Okafor</p>"),
              ("ROCK &amp; ROLL HOUR", "<p>Saturdays 9:30 AM</p>")]


def test_spellings_of_one_show_on_different_pages_are_one_show():
    pages = [parse(SCHEDULE, "https://radio.org/schedule")] + [
        parse(f"<html><head><title>{t}</title></head><body><h1>{t}</h1>{body}</body></html>",
              f"https://radio.org/shows/{n}") for n, (t, body) in enumerate(SHOW_PAGES)]
    data, _name = merge(pages)
    shows_by_name = {s.name: s for s in data.show_info}
    # the fullest spelling names the show; the most detailed mention gives its day, time and host
    assert sorted(shows_by_name) == ["Homo Frecuencia", "Night Garden", "Rock and Roll Hour", "The Late Alternative"]
    assert shows_by_name["Homo Frecuencia"].host == "Ana Ruiz"
    assert shows_by_name["The Late Alternative"].host == "Sam Okafor"
    assert sorted(data.dj_names) == ["Ana Ruiz", "Sam Okafor"]


@pytest.mark.parametrize("a, b, same", [
    ("The Urban Alternative", "Urban Alternative", True),
    ("Nuestra Palabra y Canto", "NUESTRA PALABRA CANTO", True),
    ("Rock & Roll", "Rock and Roll", True),
    ("Música Latina", "Musica Latina", True),
    ("The Breakfast Show", "The Drive Show", False),
    ("Jazz After Dark", "Jazz Before Dark", False),
    ("The", "A", False),
])
def test_show_variant_key(a, b, same):
    assert (shows.variant_key(a) == shows.variant_key(b)) is same


@pytest.mark.parametrize("text, expected", [
    ("I will definitely be at the Wilco show next week.", []),
    ("Tickets for the Pixies show go on sale Friday; we are going to the Low show too.", []),
    ("Our music directors host the New Releases program.", ["New Releases"]),
    ("Tune in to the Late Night show on Fridays.", ["Late Night"]),
])
def test_a_concert_one_goes_to_is_not_a_programme(text, expected):
    assert shows.programs_in_text(text) == expected
