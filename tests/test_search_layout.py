"""The export's document order."""

from site_gen.search import layout


def test_documents_are_ordered_by_outlet_then_newest_first_then_id(site):
    site.write("none.txt", "Undated, no URL\nBody.\n")
    site.write("none2.txt", "date 2024-02-01\nDated, no URL\nBody.\n")
    for i, (host, date) in enumerate(
        [
            ("zeta.example", "2024-03-01"),
            ("alpha.example", "2023-01-05"),
            ("zeta.example", "2024-03-01"),
            ("Beta.example", "2025-07-01"),
            ("alpha.example", "2025-01-01"),
            ("alpha.example", None),
            ("beta.example", "2021-01-01"),
        ]
    ):
        head = f"date {date} https://{host}/{i}" if date else f"url: https://{host}/{i}"
        body = f"{head}\nStory {i}\nBody {i}.\n" if date else f"---\n{head}\ntitle: Story {i}\n---\nBody {i}.\n"
        site.write(f"{i}.{'txt' if date else 'md'}", body)
    articles = site.build().archive.articles

    def key(article):
        outlet, day = article.outlet, article.date
        part = ("", "") if outlet is None else (outlet.name.casefold(), outlet.key)
        return (part, -day.toordinal() if day else 0, article.id)

    ordered = layout.order(articles)
    assert ordered == sorted(articles, key=key) and ordered != articles
    assert len({a.outlet.key for a in ordered}) == 4  # with the unknown source of articles without a URL
