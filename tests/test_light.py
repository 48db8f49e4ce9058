"""The read commands' plain connection (invtui.db.light) reaches exactly the configured database."""

from __future__ import annotations

from psycopg.conninfo import conninfo_to_dict

from invtui.db.engine import Database
from invtui.db.light import plain_conninfo

URLS = [
    "postgresql://postgres@127.0.0.1:5432/invtui",
    "postgres://maria:s%40cret@db.example:6432/stock?sslmode=require",
    "postgresql+psycopg://postgres:@/invtui?host=/tmp/pgdata",
    "postgresql://u:p%2Fw%3F@localhost/invtui",
]
# Passwords the full parser (SQLAlchemy) accepts unescaped but libpq would read differently.
FULL_PATH_ONLY = [
    "postgresql://maria:pa/ss@db.example/stock",
    "postgresql://maria:p@ss@db.example/stock",
    "postgresql://maria:pa?ss@db.example/stock",
    "postgresql://maria:pa#ss@db.example/stock",
    "postgresql://db.example:5432",
    "mysql://maria@db.example/stock",
]


def test_a_plain_connection_goes_where_the_full_path_goes_or_leaves_the_url_to_it() -> None:
    for url in URLS:
        light = plain_conninfo(url)
        assert light is not None, url
        assert conninfo_to_dict(light) == conninfo_to_dict(Database(url).conninfo), url
    for url in FULL_PATH_ONLY:
        assert plain_conninfo(url) is None, url
