"""The talent-pool title is one fact: the Python function and the SQL expression agree."""

from service.rounds.records import POOL_TITLE_SQL, pool_title


async def test_pool_title_in_python_and_sql_agree(conn):
    row = {"major_name": "食品科学与工程", "degree_level": "硕士", "graduation_year": 2026}
    sql = await conn.fetchval(
        f"SELECT {POOL_TITLE_SQL.format(t='t')} FROM (SELECT $1::text AS major_name,"
        " $2::text AS degree_level, $3::int AS graduation_year) t",
        row["major_name"], row["degree_level"], row["graduation_year"],
    )  # fmt: skip
    assert sql == pool_title(row) == "食品科学与工程（硕士，2026届）"
