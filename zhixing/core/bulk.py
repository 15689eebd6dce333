"""Fast multi-row INSERT for imports and the audit trail.

Django's bulk_create spends most of its time building SQL per row (prepare_value, expression checks). On SQLite,
which is the embedded default, `insert_many` prepares each value once with the field's own get_db_prep_save and
hands all rows to the driver's executemany: the same rows, about 2x faster for 20k encrypted Person rows
(figures in docs/PERFORMANCE.md, Notes). New primary keys are read back afterwards:
inside the transaction we hold SQLite's write lock and ids are AUTOINCREMENT, so our rows are exactly the newest
`len(objs)` ids, in insertion order. Other databases use bulk_create (PostgreSQL returns ids with RETURNING).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections, models, router, transaction

_PLAIN_TYPES = {
    "CharField",
    "TextField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "PositiveBigIntegerField",
    "BooleanField",
    "ForeignKey",
    "OneToOneField",
}


def _preparer(f: Any, connection: Any) -> Any:
    """The value as the driver wants it: str/int/bool/None pass straight through for plain columns (what
    get_db_prep_save would return for them); everything else goes through the field."""
    prep = f.get_db_prep_save
    if f.get_internal_type() in _PLAIN_TYPES and not getattr(f, "encrypted", False):
        plain = (str, int, bool)

        def fast(value: Any) -> Any:
            return value if value is None or type(value) in plain else prep(value, connection)

        return fast
    return lambda value: prep(value, connection)


def insert_many(model: type[models.Model], objs: Sequence[models.Model], *, batch_size: int = 2000) -> None:
    """Insert `objs` (new, unsaved) and set their primary keys. Must run inside transaction.atomic()."""
    if not objs:
        return
    using = router.db_for_write(model)
    connection = connections[using]
    pk = model._meta.pk
    if (
        connection.vendor != "sqlite"
        or pk is None
        or not isinstance(pk, models.AutoField | models.BigAutoField)
    ):
        model._default_manager.bulk_create(objs, batch_size=batch_size)
        return
    if not transaction.get_connection(using).in_atomic_block:
        raise RuntimeError("insert_many() must run inside transaction.atomic()")
    fields = [f for f in model._meta.concrete_fields if f is not pk]
    # auto_now(_add) and computed columns (core.fields.LookupHashField), as save() would do
    presaved = [
        f
        for f in fields
        if getattr(f, "auto_now_add", False)
        or getattr(f, "auto_now", False)
        or getattr(f, "computed_on_save", False)
    ]
    for obj in objs:
        for f in presaved:
            setattr(obj, f.attname, f.pre_save(obj, add=True))
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 - names come from the model
    prep = [(f.attname, _preparer(f, connection)) for f in fields]
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch_size):
            chunk = objs[start : start + batch_size]
            cursor.executemany(sql, [[fn(getattr(o, attname)) for attname, fn in prep] for o in chunk])
        pk_column = connection.ops.quote_name(pk.column)
        cursor.execute(f"SELECT {pk_column} FROM {table} ORDER BY {pk_column} DESC LIMIT %s", [len(objs)])  # noqa: S608
        ids = [row[0] for row in cursor.fetchall()]
    ids.reverse()
    for obj, new_id in zip(objs, ids, strict=True):
        obj.pk = new_id
        obj._state.adding = False
        obj._state.db = using
