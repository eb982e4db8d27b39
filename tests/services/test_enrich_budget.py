"""The adaptive page budget: a programmes index is read in full (within the caps), a blog archive is not."""

from __future__ import annotations

from tests.services.test_enrich_discover import crawl, html, page
from totalaudio.services.enrich.crawl import MAX_EXTRA_PAGES

NAV = '<nav><a href="/programmes/">Programmes</a><a href="/blog/">Blog</a><a href="/contact/">Contact</a></nav>'


def show(i: int) -> callable:
    return html(f"<h2>Show {i}</h2><p>Mondays 8pm. Hosted by Presenter Number{i}.</p>")


def routes(shows: int, posts: int) -> dict:
    index = "".join(f'<a href="/shows/show-{i}/">Show {i}</a>' for i in range(shows))
    archive = "".join(f'<a href="/blog/post-{i}/">Post {i}</a>' for i in range(posts))
    table = {"/": html(NAV), "/programmes/": html(NAV + index), "/blog/": html(NAV + archive),
             "/contact/": page("contact")}
    table.update({f"/shows/show-{i}/": show(i) for i in range(shows)})
    table.update({f"/blog/post-{i}/": page(f"post{i}") for i in range(posts)})
    return table


def test_a_programmes_index_is_read_in_full_and_the_record_says_why_it_stopped():
    urls, site = crawl(routes(shows=40, posts=40), budget=8)
    assert sum(1 for u in urls if u.startswith("/shows/")) == 40
    assert not any(u.startswith("/blog/post-") for u in urls)
    report = site.report(8)
    assert report["pagesRead"] == len(urls) and report["indexPagesAdded"] == 40
    assert report["stopReason"] == "no more useful links"


def test_the_extra_pages_are_capped_and_the_cap_is_the_stop_reason():
    urls, site = crawl(routes(shows=MAX_EXTRA_PAGES + 20, posts=0), budget=8)
    assert len(urls) == 8 + MAX_EXTRA_PAGES
    assert site.report(8)["stopReason"] == f"page budget reached ({8 + MAX_EXTRA_PAGES} pages)"


def test_a_blog_archive_does_not_raise_the_budget():
    urls, site = crawl(routes(shows=0, posts=60), budget=8)
    assert len(urls) <= 8 and site.extra == 0
