"""Alembic environment: runs on the connection the service hands it."""

from alembic import context
from sqlalchemy import create_engine

from router.models import Base

config = context.config
connection = config.attributes.get("connection")


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:  # the alembic command line: `alembic -x url=sqlite:///... revision --autogenerate`
    url = context.get_x_argument(as_dictionary=True).get("url", "sqlite:///instance/router.sqlite3")
    with create_engine(url).connect() as conn:
        _run(conn)
        conn.commit()
