#!/usr/bin/env python3
r"""Write examples/contacts.csv: a synthetic Airtable export of a radio plugger's contacts base.

Deterministic (random.Random(2026)) and stdlib only: run it twice and the bytes are identical.
Every person, station, show and domain below is invented, except the role mailboxes at the BBC.
The file is sample data: never send email to the addresses in it.

PLANTED PROBLEMS (the rows are identified by their Email cell, exactly as written to the CSV)
============================================================================================
 1. Duplicates that differ only in case / surrounding whitespace (8 extra rows). Each first
    row is the clean record, the second the duplicate:
      jo.bloggs@stormfm.co.uk              " Jo.Bloggs@StormFM.co.uk "   (spaces both sides)
      ellie.watts@stormfm.co.uk            "Ellie.Watts@stormfm.co.uk"   (case only, other cells equal)
      pete.hargreaves@harbourradio.org.uk  "PETE.HARGREAVES@HARBOURRADIO.ORG.UK" (Tags differ)
      dan.mitchell@kxrp.org                "  dan.mitchell@kxrp.org"     (leading spaces; newer Notes)
      grace.lin@coastlinefm.com.au         "Grace.Lin@CoastlineFM.com.au " (trailing space; extra tag)
      niamh.kelly@liffeysound.ie           "niamh.kelly@liffeysound.ie\u00a0" (trailing NO-BREAK SPACE)
      marcus.reid@clydesidefm.co.uk        "Marcus.Reid@ClydesideFM.co.uk" (Status Pending vs Opted-In)
      amara.osei@brooklynfreeform.fm       "\tAmara.Osei@brooklynfreeform.fm" (leading TAB; no phone)
 2. Same person twice under a nickname at one station (6 extra rows):
      jonathan.hale@stormfm.co.uk      / jon.hale@stormfm.co.uk          (Jonathan / Jon Hale)
      katherine.doyle@liffeysound.ie   / kate@liffeysound.ie             (Katherine / Kate Doyle)
      michael.torres@kxrp.org          / mike.torres@kxrp.org            (Michael / Mike Torres)
      rebecca.shaw@coastlinefm.com.au  / becky.shaw@coastlinefm.com.au   (Rebecca / Becky Shaw)
      daniel.price@harbourradio.org.uk / dan.price@harbourradio.org.uk   (Daniel / Dan Price)
      will.foster@clydesidefm.co.uk    / will.foster@clydesidefm.co.uk   (William / Will Foster: SAME email)
 3. Typo'd domains (8 rows):
      rosie.barnes.dj@gmial.com     (twin of rosie.barnes.dj@gmail.com)
      kev.ashworth@hotmial.co.uk
      djtonyv@yaho.com
      lena.marsh@outlok.com
      sam.kershaw@stromfm.co.uk     (twin of sam.kershaw@stormfm.co.uk)
      holly.redfern@stromfm.co.uk   (her only record)
      music@bbc.co.k                (twin of music@bbc.co.uk)
      shane.dunne@gmail.con
 4. Role addresses, no person behind them (10 rows; First/Last Name empty or a team label):
      info@harbourradio.org.uk, music@stormfm.co.uk, studio@liffeysound.ie, submissions@kxrp.org,
      music@bbc.co.uk, info@coastlinefm.com.au, newmusic@wqbn.org,
      submissions@cratediggersweekly.com, studio@clydesidefm.co.uk, hello@antipodeannoise.com.au
 5. Free-mail addresses of freelance DJs (10 rows):
      rosie.barnes.dj@gmail.com, tunde.okafor.music@gmail.com, djmarlow77@gmail.com,
      nightshift.gaz@hotmail.co.uk, bex.fairbairn@hotmail.co.uk, wes.hollis.radio@yahoo.com,
      carmen.duarte.fm@yahoo.com, kirra.blackwood@outlook.com, aisling.nolan.dj@outlook.com,
      jayden.tran.beats@icloud.com
 6. Missing fields (11 rows):
      no Station:    amy.walsh@corribradio.ie, t.okonkwo@wqbn.org, brodie.costa@yarrabendfm.org.au,
                     j.fenwick@downsfm.co.uk
      no First Name: m.lockwood@penninesound.co.uk, r.vasquez@desertbloomradio.org,
                     c.quinlan@reddirtradio.com.au
      empty Genres:  hamish.fraser@swanriversound.com.au, deirdre.lynch@leevalleyfm.ie,
                     paige.ellison@riverbendradio.org, gareth.pritchard@valleysradio.co.uk
 7. Junk names (6 rows):
      asdf@example.com               First "asdf"                  (test row)
      test@example.org               "test test"                   (test row)
      latenight@clydesidefm.co.uk    "xxx xxx"
      kev.mcgrath@merseywave.net     First Name holds the email address
      djnights@merseywave.net        "DJ ???"
      mondays@laganvalleyradio.co.uk "Presenter Monday Night"
 8. Malformed Website URLs (6 rows):
      jordan.pruitt@kxrp.org               "www.kxrp"
      priya.patel@stormfm.co.uk            "htp://stormfm.co.uk"
      callum.baxter@stormfm.co.uk          "stormfm .co.uk"
      eoin.kavanagh@liffeysound.ie         "https//liffeysound.ie"
      tahlia.marchetti@coastlinefm.com.au  "http:/coastlinefm.com.au"
      leanne.crowther@harbourradio.org.uk  "https://harbourradio.org.uk/shows/Loud & Local"
 9. Station spelled several ways (6 rows, all @stormfm.co.uk; the other Storm FM rows say "Storm FM"):
      rhys.morgan@stormfm.co.uk "Storm 106.2 FM", freya.hughes@stormfm.co.uk "STORM FM",
      george.sutcliffe@stormfm.co.uk "Storm Fm", nia.llewellyn@stormfm.co.uk "StormFM",
      alfie.bramley@stormfm.co.uk "Storm FM (106.2)", jade.ormerod@stormfm.co.uk "storm fm " (trailing space)
10. Unsubscribed (7 rows): craig.holloway@downsfm.co.uk, tyler.whitaker@lakeshoreindie.com,
      orla.hegarty@corribradio.ie, mitchell.galloway@nightowlradio.com.au,
      stacey.greenhalgh@merseywave.net, lindsey.yoder@bayouroots.org, ben.rowe@stormfm.co.uk
    Bounced (5 rows): hector.mercado@desertbloomradio.org, kieran.doherty@laganvalleyradio.co.uk,
      ebony.dawes@derwentfm.org.au, darragh.moran@boynebeats.ie, chloe.pemberton@soundsignalmag.co.uk
11. Syntactically invalid emails (4 rows): "dj.mike@", "sarah at coastlinefm.com.au",
      "rob..hart@kxrp.org" (consecutive dots), "lee.morgan@stormfm,co.uk" (comma for a dot)
12. Empty Email (1 row): Fiona Campbell at Clydeside FM, every other cell filled.
13. Completely empty row (1 row): 14 empty cells.
14. Irish names with accents (3 rows): sean.obriain@liffeysound.ie (Seán Ó Briain),
      caoimhe.nifhloinn@corribradio.ie (Caoimhe Ní Fhloinn),
      padraig.maccarthaigh@leevalleyfm.ie (Pádraig Mac Cárthaigh)
15. IDN domain (1 row): ana@bärenwelle-radio.de (Ana Krämer, Bärenwelle Radio, Germany)
16. Spreadsheet formula in Notes (1 row): lucy.barraclough@penninesound.co.uk
      Notes = =HYPERLINK("http://x","click")
17. Multi-line Notes cell (2 rows; Airtable long text exports its newlines inside the quotes):
      aoife.tierney@burrenradio.ie, andre.castellano@wfrq.org

Everything else is a clean, randomly generated contact. Phone numbers use ranges reserved for drama
(UK 01632 960xxx / 020 7946 0xxx / 07700 900xxx, US 555-01xx, Australia 5550 xxxx and 7010 xxxx);
Irish contacts have no phone because Ireland publishes no such range.
"""
from __future__ import annotations

import csv
import datetime as dt
import random
import unicodedata
from pathlib import Path

OUT = Path(__file__).with_name("contacts.csv")
HEADER = [
    "Email", "First Name", "Last Name", "Station", "Show", "Contact Type", "Region / Country",
    "Genres", "Status", "Website", "Notes", "Tags", "Phone", "Last Contacted",
]
TOTAL_ROWS = 240

# ---------------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------------
SHOWS = {
    "The Indie Hour": ["Indie", "Alternative"],
    "Late Night Electronica": ["Electronic", "Ambient"],
    "Saturday Soul Session": ["Soul", "Jazz"],
    "The Breakfast Show": ["Pop", "Indie"],
    "Drive Time": ["Pop", "Rock"],
    "Bassline Sunday": ["Drum and Bass", "Electronic"],
    "Roots & Roads": ["Americana", "Country", "Folk"],
    "The Folk Room": ["Folk", "Americana"],
    "Beats & Rhymes": ["Hip Hop", "Soul"],
    "Jazz After Dark": ["Jazz", "Soul"],
    "Loud & Local": ["Rock", "Punk", "Indie"],
    "The Metal Vault": ["Metal", "Rock"],
    "Riot Radio": ["Punk", "Rock"],
    "New Music Fix": ["Indie", "Pop", "Alternative"],
    "Off the Grid": ["Experimental", "Ambient"],
    "Blues Crossroads": ["Blues", "Rock"],
    "World on Wax": ["World", "Reggae"],
    "Dub Foundations": ["Reggae"],
    "Alt Country Hour": ["Americana", "Country"],
    "The Local Lowdown": ["Indie", "Rock", "Folk"],
    "Weekend Chill": ["Ambient", "Electronic"],
    "Homegrown": ["Indie", "Rock"],
    "The Session": ["Folk", "Indie"],
    "Tuesday New Irish": ["Indie", "Folk", "Alternative"],
    "The Evening Show": ["Pop", "Indie", "Soul"],
    "Soundclash": ["Reggae", "Hip Hop"],
    "Six String Saturday": ["Rock", "Blues"],
    "Outer Limits": ["Experimental", "Electronic"],
    "Sunday Brunch Jazz": ["Jazz"],
    "Afterhours": ["Electronic", "Drum and Bass"],
    "Garage Daze": ["Punk", "Rock", "Alternative"],
    "Freeform Friday": ["Alternative", "Experimental", "World"],
    # Press, blogs, playlists and podcasts use the Show column for a section or series.
    "Reviews": ["Indie", "Alternative", "Rock"],
    "New Music": ["Indie", "Pop", "Electronic"],
    "Track of the Day": ["Indie", "Alternative"],
    "Premieres": ["Electronic", "Indie", "Hip Hop"],
    "Monday Mixtape": ["Indie", "Pop"],
    "Low Light": ["Ambient", "Electronic", "Folk"],
    "Coastal Drive": ["Pop", "Indie", "Rock"],
    "Guest Episodes": ["Folk", "Indie", "Americana"],
    "Live in the Backroom": ["Folk", "Blues", "Americana"],
    "Static Sessions": ["Experimental", "Electronic", "Alternative"],
    "Dusty Grooves": ["Soul", "Jazz", "Hip Hop"],
}

NOTES = {  # by contact type; "any" applies to everyone
    "any": [
        "Prefers SoundCloud links, no attachments",
        "Send WAVs via WeTransfer only",
        "Likes a one-line pitch and a private stream link",
        "Prefers Dropbox or Google Drive links",
        "Replies quickly, supportive of our roster",
        "Said \"no more landfill indie, please\"",
        "Away until September",
        "Met at a showcase in 2024, mention it",
        "Wants artist bio and hi-res photo with every release",
    ],
    "Radio": [
        "Music director - decides the daytime playlist",
        "Producer; the presenter rarely reads email",
        "Only plays unsigned and local acts",
        "Playlist meeting on Mondays, send by the Friday before",
        "Needs radio edits (clean versions)",
        "Rarely plays anything over 4 minutes",
        "Does live sessions - ask about studio slots",
        "Online only, worldwide audience",
        "Plays a lot of vinyl, ask if there is a 7-inch",
    ],
    "Press": ["Send press release as PDF plus streaming link", "Needs 6 weeks lead time for print",
              "Covers tour dates, send listings early"],
    "Blog": ["Send press release as PDF plus streaming link", "Likes exclusives and premieres"],
    "Playlist": ["Spotify links only, no pre-release", "Updates playlists on Fridays"],
    "Podcast": ["Records interviews on Thursdays", "Books guests two months ahead"],
}
TAGS = [
    "Priority", "Supportive", "Specialist", "Daytime", "Playlist Committee", "Local Artists",
    "Interviews", "Live Sessions", "Reviewed Us", "2025 Campaign", "Christmas List", "Needs Follow-up",
]

NAMES = {
    "uk": (
        ["Oliver", "Amelia", "Harry", "Isla", "Tom", "Poppy", "Jack", "Millie", "Charlie", "Evie",
         "Hannah", "Sam", "Lucy", "Ben", "Chloe", "Josh", "Megan", "Ffion", "Callum", "Eilidh",
         "Gareth", "Kieran", "Holly", "Priya", "Ravi", "Aisha", "Zara", "Omar", "Tariq", "Dean",
         "Leanne", "Stacey", "Nathan", "Rosie", "Imogen", "Ewan"],
        ["Ashworth", "Pemberton", "Holloway", "Whitfield", "Crowther", "Barraclough", "Fairbairn",
         "Kershaw", "Lockwood", "Redfern", "Ormerod", "Sutcliffe", "Hardcastle", "Bramley",
         "Greenhalgh", "Patel", "Khan", "Okafor", "Mensah", "Campbell", "MacLeod", "Davies",
         "Pritchard", "Llewellyn", "Baxter", "Rowe", "Fenwick", "Gill", "Akhtar", "Nwosu",
         "Stewart", "Ferguson", "Thornley", "Haworth"],
    ),
    "us": (
        ["Tyler", "Madison", "Brandon", "Kayla", "Jordan", "Alexis", "Austin", "Brianna", "Jasmine",
         "Devon", "Luis", "Maria", "Andre", "Keisha", "Cody", "Ethan", "Hailey", "Darnell", "Rosa",
         "Trevor", "Dana", "Reggie", "Tamika", "Paige", "Marisol", "Caleb", "Naomi", "Elijah"],
        ["Alvarez", "Whitaker", "Delgado", "Kowalski", "Nguyen", "Okonkwo", "Ramirez", "Fitzgerald",
         "Hollis", "Duarte", "McAllister", "Sandoval", "Pruitt", "Castellano", "Ellison", "Gutierrez",
         "Holbrook", "Jankowski", "Lindqvist", "Mercado", "Pham", "Rutherford", "Strickland",
         "Vasquez", "Washburn", "Yoder", "Zimmerman", "Beaumont"],
    ),
    "au": (
        ["Lachlan", "Chloe", "Mitchell", "Jess", "Brodie", "Tahlia", "Bailey", "Kirra", "Angus",
         "Matilda", "Riley", "Sienna", "Hamish", "Ebony", "Jayden", "Shannon", "Brooke", "Cooper",
         "Mia", "Zoe", "Liam", "Georgia"],
        ["Kennedy", "Pappas", "Nguyen", "Fraser", "Hutchinson", "Costa", "O'Loughlin", "Lindsay",
         "Galloway", "Marchetti", "Wilkinson", "Papadopoulos", "Tran", "Blackwood", "Quinlan",
         "Sheppard", "Varga", "Dawes", "McGuinness", "Ridley"],
    ),
    "ie": (
        ["Aoife", "Cian", "Niamh", "Darragh", "Ciara", "Eoin", "Aisling", "Conor", "Orla", "Fionn",
         "Sinead", "Tadhg", "Clodagh", "Ronan", "Deirdre", "Shane", "Emer", "Colm", "Maeve", "Oisin"],
        ["Murphy", "Kelly", "O'Sullivan", "Walsh", "Byrne", "Ryan", "O'Connor", "Gallagher",
         "McCarthy", "Brennan", "Kavanagh", "Fitzpatrick", "Nolan", "Dunne", "Lynch", "Hegarty",
         "Moran", "Cassidy", "Flanagan", "Tierney"],
    ),
}

# ---------------------------------------------------------------------------------------------
# Stations and outlets: key -> (name, domain, region, contact type, name pool, shows)
# ---------------------------------------------------------------------------------------------
STATIONS = {
    "storm": ("Storm FM", "stormfm.co.uk", "UK - South West", "Radio", "uk",
              ["The Indie Hour", "The Breakfast Show", "Drive Time", "Late Night Electronica",
               "Saturday Soul Session", "Loud & Local", "Bassline Sunday", "The Evening Show"]),
    "harbour": ("Harbour Community Radio", "harbourradio.org.uk", "UK - North East", "Radio", "uk",
                ["Loud & Local", "The Folk Room", "Riot Radio", "Saturday Soul Session", "The Metal Vault"]),
    "pennine": ("Pennine Sound", "penninesound.co.uk", "UK - Yorkshire", "Radio", "uk",
                ["The Local Lowdown", "The Metal Vault", "Drive Time"]),
    "clyde": ("Clydeside FM", "clydesidefm.co.uk", "UK - Scotland", "Radio", "uk",
              ["The Indie Hour", "Afterhours", "The Folk Room", "Six String Saturday"]),
    "valleys": ("Valleys Radio 97.4", "valleysradio.co.uk", "UK - Wales", "Radio", "uk",
                ["The Breakfast Show", "Homegrown", "Blues Crossroads"]),
    "southbank": ("Southbank Underground Radio", "sbunderground.com", "UK - London", "Radio", "uk",
                  ["Bassline Sunday", "Beats & Rhymes", "Soundclash", "Outer Limits"]),
    "fenland": ("Fenland Community Radio", "fenlandradio.org.uk", "UK - East of England", "Radio", "uk",
                ["Alt Country Hour", "Sunday Brunch Jazz", "The Local Lowdown"]),
    "mersey": ("Mersey Wave Online", "merseywave.net", "UK - North West", "Radio", "uk",
               ["New Music Fix", "Garage Daze", "Late Night Electronica"]),
    "downs": ("Downs FM", "downsfm.co.uk", "UK - South East", "Radio", "uk",
              ["The Breakfast Show", "Weekend Chill", "The Evening Show"]),
    "lagan": ("Lagan Valley Radio", "laganvalleyradio.co.uk", "UK - Northern Ireland", "Radio", "uk",
              ["The Session", "Loud & Local", "Drive Time"]),
    "kestrel": ("Kestrel Radio", "kestrelradio.co.uk", "UK - Midlands", "Radio", "uk",
                ["World on Wax", "Dub Foundations", "The Indie Hour"]),
    "kxrp": ("KXRP 88.7", "kxrp.org", "US - Oregon", "Radio", "us",
             ["Outer Limits", "Freeform Friday", "The Indie Hour", "Garage Daze"]),
    "wqbn": ("WQBN 90.3", "wqbn.org", "US - Ohio", "Radio", "us",
             ["New Music Fix", "Jazz After Dark", "Riot Radio"]),
    "wfrq": ("WFRQ 91.9", "wfrq.org", "US - Massachusetts", "Radio", "us",
             ["The Folk Room", "Freeform Friday", "Blues Crossroads"]),
    "desert": ("Desert Bloom Radio", "desertbloomradio.org", "US - Arizona", "Radio", "us",
               ["Alt Country Hour", "Off the Grid", "Weekend Chill"]),
    "riverbend": ("Riverbend Public Radio", "riverbendradio.org", "US - Tennessee", "Radio", "us",
                  ["Roots & Roads", "Blues Crossroads", "Alt Country Hour"]),
    "lakeshore": ("Lakeshore Indie 103", "lakeshoreindie.com", "US - Illinois", "Radio", "us",
                  ["The Indie Hour", "Drive Time", "New Music Fix"]),
    "brooklyn": ("Brooklyn Freeform", "brooklynfreeform.fm", "US - New York", "Radio", "us",
                 ["Beats & Rhymes", "Freeform Friday", "Jazz After Dark", "Soundclash"]),
    "bayou": ("Bayou Roots Radio", "bayouroots.org", "US - Louisiana", "Radio", "us",
              ["Roots & Roads", "Saturday Soul Session", "Blues Crossroads"]),
    "kcwr": ("KCWR 89.1", "kcwr.org", "US - Washington", "Radio", "us",
             ["Afterhours", "Garage Daze", "The Metal Vault"]),
    "coastline": ("Coastline FM", "coastlinefm.com.au", "Australia - NSW", "Radio", "au",
                  ["Homegrown", "The Breakfast Show", "Late Night Electronica", "Six String Saturday"]),
    "reddirt": ("Red Dirt Radio", "reddirtradio.com.au", "Australia - NT", "Radio", "au",
                ["Roots & Roads", "Homegrown", "World on Wax"]),
    "yarra": ("Yarra Bend FM", "yarrabendfm.org.au", "Australia - VIC", "Radio", "au",
              ["Garage Daze", "Off the Grid", "The Indie Hour"]),
    "swan": ("Swan River Sound", "swanriversound.com.au", "Australia - WA", "Radio", "au",
             ["Bassline Sunday", "Drive Time", "Weekend Chill", "The Metal Vault"]),
    "nightowl": ("Night Owl Radio", "nightowlradio.com.au", "Australia - QLD", "Radio", "au",
                 ["Late Night Electronica", "Afterhours", "Jazz After Dark"]),
    "derwent": ("Derwent Valley FM", "derwentfm.org.au", "Australia - TAS", "Radio", "au",
                ["The Folk Room", "The Local Lowdown", "Sunday Brunch Jazz"]),
    "liffey": ("Liffey Sound", "liffeysound.ie", "Ireland - Dublin", "Radio", "ie",
               ["Tuesday New Irish", "The Indie Hour", "Late Night Electronica", "The Session"]),
    "corrib": ("Corrib Radio", "corribradio.ie", "Ireland - Galway", "Radio", "ie",
               ["The Session", "Roots & Roads", "Drive Time"]),
    "leevalley": ("Lee Valley FM", "leevalleyfm.ie", "Ireland - Cork", "Radio", "ie",
                  ["Tuesday New Irish", "Riot Radio", "The Breakfast Show"]),
    "burren": ("Burren Community Radio", "burrenradio.ie", "Ireland - Clare", "Radio", "ie",
               ["The Folk Room", "The Session", "Off the Grid"]),
    "boyne": ("Boyne Valley Beats", "boynebeats.ie", "Ireland - Meath", "Radio", "ie",
              ["Afterhours", "Bassline Sunday", "Beats & Rhymes"]),
    "cratediggers": ("Crate Diggers Weekly", "cratediggersweekly.com", "UK", "Blog", "uk",
                     ["Track of the Day", "Reviews", "Dusty Grooves"]),
    "soundsignal": ("Sound Signal Magazine", "soundsignalmag.co.uk", "UK", "Press", "uk",
                    ["Reviews", "New Music"]),
    "midnightstatic": ("Midnight Static", "midnightstatic.co.uk", "UK", "Podcast", "uk",
                       ["Static Sessions", "Guest Episodes"]),
    "lowlight": ("Low Light Playlists", "lowlightplaylists.com", "US", "Playlist", "us",
                 ["Low Light", "Monday Mixtape"]),
    "outerorbit": ("Outer Orbit Magazine", "outerorbitmag.com", "US", "Press", "us",
                   ["Reviews", "Premieres"]),
    "antipodean": ("Antipodean Noise", "antipodeannoise.com.au", "Australia", "Blog", "au",
                   ["Track of the Day", "Premieres"]),
    "southerndrift": ("Southern Drift", "southerndrift.com.au", "Australia", "Playlist", "au",
                      ["Coastal Drive", "Low Light"]),
    "backroom": ("Backroom Sessions", "backroomsessions.fm", "Ireland", "Podcast", "ie",
                 ["Live in the Backroom", "Guest Episodes"]),
    # Real broadcaster: role mailbox rows only, never a person.
    "bbc": ("BBC", "bbc.co.uk", "UK", "Radio", "uk", []),
}
US_AREA = {"US - Oregon": "503", "US - Ohio": "614", "US - Massachusetts": "617", "US - Arizona": "480",
           "US - Tennessee": "615", "US - Illinois": "312", "US - New York": "718", "US - Louisiana": "504",
           "US - Washington": "206"}
AU_AREA = {"Australia - NSW": ("02", "5550"), "Australia - VIC": ("03", "7010"), "Australia - QLD": ("07", "5550"),
           "Australia - WA": ("08", "5550"), "Australia - NT": ("08", "5550"), "Australia - TAS": ("03", "7010")}
# How many random clean contacts each station gets (planted rows come on top).
STORM_RANDOM = 15


def slug(text: str) -> str:
    """URL path segment for a show name."""
    keep = [c.lower() if c.isalnum() else "-" for c in text.replace("&", "and")]
    return "-".join(part for part in "".join(keep).split("-") if part)


def fold(text: str) -> str:
    """ASCII email local part from a name: Ó Briain -> obriain, O'Sullivan -> osullivan."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


# ---------------------------------------------------------------------------------------------
# Row builders
# ---------------------------------------------------------------------------------------------
class Builder:
    """Holds the seeded RNG so every filler value comes from one deterministic stream."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def phone(self, pool: str, region: str) -> str:
        """A number from the ranges reserved for fiction, formatted the inconsistent ways people type."""
        r = self.rng
        n3, n4 = f"{r.randrange(1000):03d}", f"{r.randrange(10000):04d}"
        if pool == "uk":
            return r.choice([f"+44 1632 960{n3}", f"01632 960{n3}", f"020 7946 0{n3}",
                             f"+44 20 7946 0{n3}", f"07700 900{n3}", f"+44 7700 900{n3}"])
        if pool == "us":
            area = US_AREA.get(region) or r.choice(sorted(US_AREA.values()))
            return r.choice([f"({area}) 555-01{n3[:2]}", f"+1 {area} 555 01{n3[:2]}", f"{area}-555-01{n3[:2]}"])
        if pool == "au":
            trunk, exchange = AU_AREA.get(region) or r.choice(sorted(AU_AREA.values()))
            return r.choice([f"({trunk}) {exchange} {n4}", f"+61 {trunk[1]} {exchange} {n4}"])
        return ""

    def last_contacted(self) -> str:
        if self.rng.random() < 0.3:
            return ""
        day = dt.date(2024, 1, 8) + dt.timedelta(days=self.rng.randrange(676))
        return day.isoformat()

    def website(self, domain: str, show: str, radio: bool) -> str:
        if show and self.rng.random() < 0.5:
            return f"https://{domain}/shows/{slug(show)}" if radio else f"https://{domain}/{slug(show)}"
        return f"https://www.{domain}"

    def tags(self) -> str:
        n = self.rng.choice([0, 0, 1, 1, 1, 2, 2, 3])
        picked = sorted(self.rng.sample(range(len(TAGS)), n))
        return ", ".join(TAGS[i] for i in picked)

    def row(self, key: str, email: str, first: str, last: str, show: str | None = None, **over: str) -> dict:
        """A full, plausible row for a contact at station `key`; keyword overrides win."""
        name, domain, region, ctype, pool, shows = STATIONS[key]
        if show is None:
            show = self.rng.choice(shows) if shows and self.rng.random() < 0.85 else ""
        genres = SHOWS.get(show) or (SHOWS[shows[0]] if shows else ["Indie"])
        status = "Opted-In" if self.rng.random() < 0.82 else "Pending"
        notes = self.rng.choice(NOTES["any"] + NOTES[ctype]) if self.rng.random() < 0.45 else ""
        phone = self.phone(pool, region) if self.rng.random() < 0.4 else ""
        row = {
            "Email": email, "First Name": first, "Last Name": last, "Station": name, "Show": show,
            "Contact Type": ctype, "Region / Country": region, "Genres": ", ".join(genres),
            "Status": status, "Website": self.website(domain, show, ctype == "Radio"), "Notes": notes,
            "Tags": self.tags(), "Phone": phone, "Last Contacted": self.last_contacted(),
        }
        row.update({k.replace("_", " "): v for k, v in over.items()})
        return row


def email_for(rng: random.Random, first: str, last: str, domain: str) -> str:
    f, l = fold(first), fold(last)
    pattern = rng.choices(["f.l", "f", "fl", "f.li"], weights=[60, 18, 12, 10])[0]
    local = {"f.l": f"{f}.{l}", "f": f, "fl": f"{f[0]}{l}", "f.li": f"{f}.{l[0]}"}[pattern]
    return f"{local}@{domain}"


# ---------------------------------------------------------------------------------------------
# Planted rows (see the comment block at the top)
# ---------------------------------------------------------------------------------------------
def planted(b: Builder) -> list[dict]:
    R = b.row
    rows: list[dict] = []

    # 1. case / whitespace duplicates: anchor then duplicate
    pairs = [
        (R("storm", "jo.bloggs@stormfm.co.uk", "Jo", "Bloggs", "The Indie Hour", Status="Opted-In"),
         {"Email": " Jo.Bloggs@StormFM.co.uk "}),
        (R("storm", "ellie.watts@stormfm.co.uk", "Ellie", "Watts", "Drive Time", Status="Opted-In"),
         {"Email": "Ellie.Watts@stormfm.co.uk"}),
        (R("harbour", "pete.hargreaves@harbourradio.org.uk", "Pete", "Hargreaves", "Loud & Local",
           Status="Opted-In"),
         {"Email": "PETE.HARGREAVES@HARBOURRADIO.ORG.UK", "Tags": "Priority"}),
        (R("kxrp", "dan.mitchell@kxrp.org", "Dan", "Mitchell", "Outer Limits", Status="Opted-In",
           Notes="Prefers SoundCloud links, no attachments"),
         {"Email": "  dan.mitchell@kxrp.org", "Notes": "Now also co-hosts Freeform Friday"}),
        (R("coastline", "grace.lin@coastlinefm.com.au", "Grace", "Lin", "Homegrown", Status="Opted-In",
           Tags="Supportive"),
         {"Email": "Grace.Lin@CoastlineFM.com.au ", "Tags": "Supportive, Local Artists"}),
        (R("liffey", "niamh.kelly@liffeysound.ie", "Niamh", "Kelly", "Tuesday New Irish", Status="Opted-In",
           Notes="Plays new Irish artists on Tuesdays"),
         {"Email": "niamh.kelly@liffeysound.ie\u00a0"}),
        (R("clyde", "marcus.reid@clydesidefm.co.uk", "Marcus", "Reid", "Afterhours", Status="Opted-In"),
         {"Email": "Marcus.Reid@ClydesideFM.co.uk", "Status": "Pending"}),
        (R("brooklyn", "amara.osei@brooklynfreeform.fm", "Amara", "Osei", "Beats & Rhymes",
           Status="Opted-In", Phone="(718) 555-0137"),
         {"Email": "\tAmara.Osei@brooklynfreeform.fm", "Phone": ""}),
    ]
    for anchor, changes in pairs:
        rows += [anchor, {**anchor, **changes}]

    # 2. nickname duplicates at one station
    nick = [
        ("storm", "jonathan.hale@stormfm.co.uk", "Jonathan", "jon.hale@stormfm.co.uk", "Jon", "Hale",
         "Saturday Soul Session"),
        ("liffey", "katherine.doyle@liffeysound.ie", "Katherine", "kate@liffeysound.ie", "Kate", "Doyle",
         "The Session"),
        ("kxrp", "michael.torres@kxrp.org", "Michael", "mike.torres@kxrp.org", "Mike", "Torres",
         "Garage Daze"),
        ("coastline", "rebecca.shaw@coastlinefm.com.au", "Rebecca", "becky.shaw@coastlinefm.com.au", "Becky",
         "Shaw", "The Breakfast Show"),
        ("harbour", "daniel.price@harbourradio.org.uk", "Daniel", "dan.price@harbourradio.org.uk", "Dan",
         "Price", "Riot Radio"),
        ("clyde", "will.foster@clydesidefm.co.uk", "William", "will.foster@clydesidefm.co.uk", "Will",
         "Foster", "Six String Saturday"),
    ]
    for key, email1, first1, email2, first2, last, show in nick:
        rows.append(R(key, email1, first1, last, show))
        rows.append(R(key, email2, first2, last, show))

    # 5. free-mail freelance DJs (also anchors for two typo twins)
    rows += [
        R("harbour", "rosie.barnes.dj@gmail.com", "Rosie", "Barnes", "Saturday Soul Session",
          Notes="Freelance, presents on two community stations"),
        R("southbank", "tunde.okafor.music@gmail.com", "Tunde", "Okafor", "Soundclash"),
        R("mersey", "djmarlow77@gmail.com", "Ryan", "Marlow", "Garage Daze", Notes="Goes by DJ Marlow on air"),
        R("pennine", "nightshift.gaz@hotmail.co.uk", "Gary", "Thornley", "The Metal Vault",
          Notes="Freelance; calls himself Gaz"),
        R("downs", "bex.fairbairn@hotmail.co.uk", "Rebecca", "Fairbairn", "Weekend Chill"),
        R("riverbend", "wes.hollis.radio@yahoo.com", "Wes", "Hollis", "Roots & Roads"),
        R("desert", "carmen.duarte.fm@yahoo.com", "Carmen", "Duarte", "Off the Grid"),
        R("reddirt", "kirra.blackwood@outlook.com", "Kirra", "Blackwood", "World on Wax"),
        R("burren", "aisling.nolan.dj@outlook.com", "Aisling", "Nolan", "Off the Grid"),
        R("nightowl", "jayden.tran.beats@icloud.com", "Jayden", "Tran", "Afterhours"),
    ]

    # 3. typo'd domains (twins keep the anchor's other cells)
    sam = R("storm", "sam.kershaw@stormfm.co.uk", "Sam", "Kershaw", "Late Night Electronica", Status="Opted-In")
    bbc = R("bbc", "music@bbc.co.uk", "Music Team", "", "", Genres="Indie, Pop, Alternative, Electronic",
            Status="Opted-In", Notes="Central music inbox - no attachments", Tags="", Phone="")
    rosie = next(r for r in rows if r["Email"] == "rosie.barnes.dj@gmail.com")
    rows += [
        sam, {**sam, "Email": "sam.kershaw@stromfm.co.uk"},
        {**rosie, "Email": "rosie.barnes.dj@gmial.com", "Last Contacted": ""},
        R("pennine", "kev.ashworth@hotmial.co.uk", "Kev", "Ashworth", "Drive Time"),
        R("bayou", "djtonyv@yaho.com", "Tony", "Villanueva", "Saturday Soul Session"),
        R("kcwr", "lena.marsh@outlok.com", "Lena", "Marsh", "Afterhours"),
        R("storm", "holly.redfern@stromfm.co.uk", "Holly", "Redfern", "The Evening Show"),
        R("corrib", "shane.dunne@gmail.con", "Shane", "Dunne", "Drive Time"),
    ]
    # 4. role addresses
    rows += [
        R("harbour", "info@harbourradio.org.uk", "", "", "", Notes="General inbox"),
        R("storm", "music@stormfm.co.uk", "Music Team", "", "", Notes="Goes to the whole music team"),
        R("liffey", "studio@liffeysound.ie", "Studio", "", "", Phone=""),
        R("kxrp", "submissions@kxrp.org", "Submissions", "", "", Notes="Submission form preferred"),
        bbc,
        {**bbc, "Email": "music@bbc.co.k", "Last Contacted": ""},
        R("coastline", "info@coastlinefm.com.au", "", "", ""),
        R("wqbn", "newmusic@wqbn.org", "New Music", "Desk", ""),
        R("cratediggers", "submissions@cratediggersweekly.com", "Submissions", "", ""),
        R("clyde", "studio@clydesidefm.co.uk", "Studio", "", "", Notes="Studio line, monitored during shows"),
        R("antipodean", "hello@antipodeannoise.com.au", "", "", ""),
    ]

    # 6. missing fields
    rows += [
        R("corrib", "amy.walsh@corribradio.ie", "Amy", "Walsh", "The Session", Station=""),
        R("wqbn", "t.okonkwo@wqbn.org", "Tobi", "Okonkwo", "Jazz After Dark", Station=""),
        R("yarra", "brodie.costa@yarrabendfm.org.au", "Brodie", "Costa", "Garage Daze", Station=""),
        R("downs", "j.fenwick@downsfm.co.uk", "Jo", "Fenwick", "", Station=""),
        R("pennine", "m.lockwood@penninesound.co.uk", "", "Lockwood", "The Local Lowdown"),
        R("desert", "r.vasquez@desertbloomradio.org", "", "Vasquez", "Alt Country Hour"),
        R("reddirt", "c.quinlan@reddirtradio.com.au", "", "Quinlan", "Homegrown"),
        R("swan", "hamish.fraser@swanriversound.com.au", "Hamish", "Fraser", "Drive Time", Genres=""),
        R("leevalley", "deirdre.lynch@leevalleyfm.ie", "Deirdre", "Lynch", "", Genres=""),
        R("riverbend", "paige.ellison@riverbendradio.org", "Paige", "Ellison", "Blues Crossroads", Genres=""),
        R("valleys", "gareth.pritchard@valleysradio.co.uk", "Gareth", "Pritchard", "Homegrown", Genres=""),
    ]

    # 7. junk names (the two test rows were typed in by hand: almost nothing filled)
    blank = dict.fromkeys(HEADER, "")
    rows += [
        {**blank, "Email": "asdf@example.com", "First Name": "asdf", "Status": "Pending"},
        {**blank, "Email": "test@example.org", "First Name": "test", "Last Name": "test", "Status": "Pending",
         "Contact Type": "Radio", "Notes": "test"},
        R("clyde", "latenight@clydesidefm.co.uk", "xxx", "xxx", "Afterhours"),
        R("mersey", "kev.mcgrath@merseywave.net", "kev.mcgrath@merseywave.net", "", "New Music Fix"),
        R("mersey", "djnights@merseywave.net", "DJ", "???", "Late Night Electronica"),
        R("lagan", "mondays@laganvalleyradio.co.uk", "Presenter", "Monday Night", "Loud & Local"),
    ]

    # 8. malformed URLs
    rows += [
        R("kxrp", "jordan.pruitt@kxrp.org", "Jordan", "Pruitt", "Freeform Friday", Website="www.kxrp"),
        R("storm", "priya.patel@stormfm.co.uk", "Priya", "Patel", "The Breakfast Show",
          Website="htp://stormfm.co.uk"),
        R("storm", "callum.baxter@stormfm.co.uk", "Callum", "Baxter", "Bassline Sunday", Website="stormfm .co.uk"),
        R("liffey", "eoin.kavanagh@liffeysound.ie", "Eoin", "Kavanagh", "The Indie Hour",
          Website="https//liffeysound.ie"),
        R("coastline", "tahlia.marchetti@coastlinefm.com.au", "Tahlia", "Marchetti", "Six String Saturday",
          Website="http:/coastlinefm.com.au"),
        R("harbour", "leanne.crowther@harbourradio.org.uk", "Leanne", "Crowther", "Loud & Local",
          Website="https://harbourradio.org.uk/shows/Loud & Local"),
    ]

    # 9. station spelled several ways
    rows += [
        R("storm", "rhys.morgan@stormfm.co.uk", "Rhys", "Morgan", "Drive Time", Station="Storm 106.2 FM"),
        R("storm", "freya.hughes@stormfm.co.uk", "Freya", "Hughes", "The Indie Hour", Station="STORM FM"),
        R("storm", "george.sutcliffe@stormfm.co.uk", "George", "Sutcliffe", "Loud & Local", Station="Storm Fm"),
        R("storm", "nia.llewellyn@stormfm.co.uk", "Nia", "Llewellyn", "The Evening Show", Station="StormFM"),
        R("storm", "alfie.bramley@stormfm.co.uk", "Alfie", "Bramley", "Bassline Sunday",
          Station="Storm FM (106.2)"),
        R("storm", "jade.ormerod@stormfm.co.uk", "Jade", "Ormerod", "Saturday Soul Session", Station="storm fm "),
    ]

    # 10. unsubscribed / bounced
    rows += [
        R("downs", "craig.holloway@downsfm.co.uk", "Craig", "Holloway", "The Evening Show", Status="Unsubscribed"),
        R("lakeshore", "tyler.whitaker@lakeshoreindie.com", "Tyler", "Whitaker", "Drive Time",
          Status="Unsubscribed"),
        R("corrib", "orla.hegarty@corribradio.ie", "Orla", "Hegarty", "Roots & Roads", Status="Unsubscribed"),
        R("nightowl", "mitchell.galloway@nightowlradio.com.au", "Mitchell", "Galloway", "Jazz After Dark",
          Status="Unsubscribed"),
        R("mersey", "stacey.greenhalgh@merseywave.net", "Stacey", "Greenhalgh", "New Music Fix",
          Status="Unsubscribed", Notes="Asked to be removed, March 2025"),
        R("bayou", "lindsey.yoder@bayouroots.org", "Lindsey", "Yoder", "Roots & Roads", Status="Unsubscribed"),
        R("storm", "ben.rowe@stormfm.co.uk", "Ben", "Rowe", "Drive Time", Status="Unsubscribed"),
        R("desert", "hector.mercado@desertbloomradio.org", "Hector", "Mercado", "Weekend Chill", Status="Bounced"),
        R("lagan", "kieran.doherty@laganvalleyradio.co.uk", "Kieran", "Doherty", "The Session",
          Status="Bounced", Notes="Left the station?"),
        R("derwent", "ebony.dawes@derwentfm.org.au", "Ebony", "Dawes", "The Folk Room", Status="Bounced"),
        R("boyne", "darragh.moran@boynebeats.ie", "Darragh", "Moran", "Bassline Sunday", Status="Bounced"),
        R("soundsignal", "chloe.pemberton@soundsignalmag.co.uk", "Chloe", "Pemberton", "Reviews",
          Status="Bounced"),
    ]

    # 11-13. invalid, empty email, empty row
    rows += [
        R("mersey", "dj.mike@", "Mike", "Sutton", "Garage Daze"),
        R("coastline", "sarah at coastlinefm.com.au", "Sarah", "Hutchinson", "Late Night Electronica"),
        R("kxrp", "rob..hart@kxrp.org", "Rob", "Hart", "The Indie Hour"),
        R("storm", "lee.morgan@stormfm,co.uk", "Lee", "Morgan", "Late Night Electronica"),
        R("clyde", "", "Fiona", "Campbell", "The Folk Room", Notes="Email address lost, ask at the station"),
        dict.fromkeys(HEADER, ""),
    ]

    # 14-17. accents, IDN, formula, multi-line notes
    rows += [
        R("liffey", "sean.obriain@liffeysound.ie", "Seán", "Ó Briain", "The Session",
          Notes="Presents in Irish and English"),
        R("corrib", "caoimhe.nifhloinn@corribradio.ie", "Caoimhe", "Ní Fhloinn", "The Session"),
        R("leevalley", "padraig.maccarthaigh@leevalleyfm.ie", "Pádraig", "Mac Cárthaigh", "Tuesday New Irish"),
        {**R("kxrp", "ana@bärenwelle-radio.de", "Ana", "Krämer", "Off the Grid"),
         "Station": "Bärenwelle Radio", "Show": "Nachtschicht", "Region / Country": "Germany",
         "Website": "https://bärenwelle-radio.de", "Phone": ""},
        R("pennine", "lucy.barraclough@penninesound.co.uk", "Lucy", "Barraclough", "The Local Lowdown",
          Notes='=HYPERLINK("http://x","click")'),
        R("burren", "aoife.tierney@burrenradio.ie", "Aoife", "Tierney", "The Folk Room",
          Notes="Prefers SoundCloud links.\nNo attachments over 5MB.\nBack from maternity leave in May."),
        R("wfrq", "andre.castellano@wfrq.org", "Andre", "Castellano", "Freeform Friday",
          Notes="Music director.\nAdds to rotation on Wednesdays"),
    ]
    return rows


def random_rows(b: Builder, taken_emails: set[str], taken_names: set[tuple[str, str, str]], n_total: int) -> list[dict]:
    """Clean contacts: STORM_RANDOM at Storm FM, the rest spread over the other stations."""
    rng = b.rng
    keys = [k for k in STATIONS if k not in ("storm", "bbc")]
    quota = {"storm": STORM_RANDOM}
    remaining = n_total - STORM_RANDOM
    for i, key in enumerate(keys):
        quota[key] = remaining // len(keys) + (1 if i < remaining % len(keys) else 0)
    rows = []
    for key, count in quota.items():
        _, domain, _, _, pool, _ = STATIONS[key]
        firsts, lasts = NAMES[pool]
        made = 0
        while made < count:
            first, last = rng.choice(firsts), rng.choice(lasts)
            email = email_for(rng, first, last, domain)
            if email in taken_emails or (key, first, last) in taken_names or any(
                    (key, last) == (k, l) for k, _, l in taken_names):
                continue
            taken_emails.add(email)
            taken_names.add((key, first, last))
            rows.append(b.row(key, email, first, last))
            made += 1
    return rows


def station_key(row: dict) -> str:
    domain = row["Email"].strip().lower().rpartition("@")[2]
    return next((k for k, s in STATIONS.items() if s[1] == domain), "")


def build() -> list[dict]:
    rng = random.Random(2026)
    b = Builder(rng)
    fixed = planted(b)
    taken_emails = {r["Email"].strip().lower() for r in fixed}
    taken_names = {(station_key(r), r["First Name"], r["Last Name"]) for r in fixed if r["Last Name"]}
    rows = fixed + random_rows(b, taken_emails, taken_names, TOTAL_ROWS - len(fixed))
    rng.shuffle(rows)  # an export in creation order: duplicates are scattered, not adjacent
    return rows


def main() -> None:
    rows = build()
    with OUT.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {OUT}")


if __name__ == "__main__":
    main()
