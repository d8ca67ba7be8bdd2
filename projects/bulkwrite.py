"""``bulk_update`` as PostgreSQL does it fastest: one ``UPDATE … FROM (VALUES …)`` per batch (issue 17).

Django's ``bulk_update`` writes ``SET col = CASE WHEN id = 1 THEN … WHEN id = 2 THEN … END`` for every column,
which PostgreSQL plans and evaluates row by row: 9 s for the proposals of 15 000 indicator rows on the bench
machine, against 0.8 s for the same values joined from a ``VALUES`` list. Same effect, same return value (the
rows matched); other databases, expressions (``F()``, functions) as values, and fields that are not plain
columns keep Django's own way.
"""

from django.db import connections, models, transaction
from psycopg2 import sql

BATCH = 5000


def _plain(fields, objs) -> bool:
    if any(not f.concrete or f.primary_key or f.many_to_many for f in fields):
        return False
    return not any(hasattr(getattr(obj, f.attname), "resolve_expression") for obj in objs for f in fields)


class ValuesUpdateQuerySet(models.QuerySet):
    def bulk_update(self, objs, fields, batch_size=None):
        objs = list(objs)
        connection = connections[self.db]
        concrete = [self.model._meta.get_field(name) for name in fields] if fields else []
        if connection.vendor != "postgresql" or not objs or not concrete or not _plain(concrete, objs):
            return super().bulk_update(objs, fields, batch_size=batch_size)
        if any(obj.pk is None for obj in objs):
            raise ValueError("All bulk_update() objects must have a primary key set.")
        meta = self.model._meta
        pk = meta.pk
        columns = [pk, *concrete]
        # Names are the model's own, composed as identifiers; the values are parameters, cast to their columns.
        row = sql.SQL("({})").format(
            sql.SQL(", ").join(sql.SQL("%s::{}").format(sql.SQL(f.db_type(connection))) for f in columns)
        )
        names = sql.SQL(", ").join(sql.Identifier(f.column) for f in columns)
        sets = sql.SQL(", ").join(sql.SQL("{0} = v.{0}").format(sql.Identifier(f.column)) for f in concrete)
        size = batch_size or BATCH
        updated = 0
        with transaction.atomic(using=self.db, savepoint=False), connection.cursor() as cursor:
            for start in range(0, len(objs), size):
                batch = objs[start : start + size]
                params = [f.get_db_prep_save(getattr(obj, f.attname), connection) for obj in batch for f in columns]
                cursor.execute(
                    sql.SQL(
                        "UPDATE {table} AS t SET {sets} FROM (VALUES {rows}) AS v({names}) WHERE t.{pk} = v.{pk}"
                    ).format(
                        table=sql.Identifier(meta.db_table),
                        sets=sets,
                        rows=sql.SQL(", ").join([row] * len(batch)),
                        names=names,
                        pk=sql.Identifier(pk.column),
                    ),
                    params,
                )
                updated += cursor.rowcount
        return updated

    bulk_update.alters_data = True
