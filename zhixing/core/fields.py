"""Model fields for personal data encrypted at rest (core/crypto.py has the rules and the keys).

    id_number = EncryptedCharField("身份证号", max_length=18, null=True, blank=True)
    id_number_hash = LookupHashField(source="id_number", unique=True)

`max_length` is the plain value's (forms and validation); the column is wide enough for the ciphertext. The hash
field fills itself whenever the row is written by save(), bulk_create() or core.bulk.insert_many(); for
bulk_update() and QuerySet.update() use `LookupHashQuerySetMixin`, and `fill_lookup_hashes(obj)` before a
uniqueness check that runs ahead of save() (full_clean).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import FieldError
from django.db import models
from django.db.models.lookups import Exact, IsNull
from django.utils.datastructures import DictWrapper

from zhixing.core import crypto

STORED_LENGTH = 255


class _EmptyOnlyExact(Exact):
    """`filter(mobile="")` still works (empty values are stored empty); any other value cannot match a
    ciphertext, so asking for it is a programming error, said loudly."""

    def __init__(self, lhs: Any, rhs: Any) -> None:
        if rhs not in ("", None):
            raise FieldError(
                "加密存储的字段不能按原值查询：请按其检索哈希查询，例如 "
                "filter(id_number_hash=crypto.lookup_hash('id_number', 值))。"
            )
        super().__init__(lhs, rhs)


class EncryptedCharField(models.CharField):
    """A CharField stored encrypted (core.crypto.encrypt, bound to "<app>.<model>.<field>"). Empty values stay
    empty. Values written before encryption (no algorithm prefix) are read as they are, until the data migration
    or `zhixing rotate_data_key` encrypts them."""

    encrypted = True  # core.bulk.insert_many sends the value through get_db_prep_save

    def __init__(self, *args: Any, stored_length: int = STORED_LENGTH, **kwargs: Any) -> None:
        self.stored_length = stored_length
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.stored_length != STORED_LENGTH:
            kwargs["stored_length"] = self.stored_length
        return name, path, args, kwargs

    @property
    def context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def db_type_parameters(self, connection: Any) -> DictWrapper:
        return DictWrapper(
            {**self.__dict__, "max_length": self.stored_length}, connection.ops.quote_name, "qn_"
        )

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if not value or not crypto.is_encrypted(value):
            return value
        return crypto.decrypt(value, self.context)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return crypto.encrypt(value, self.context)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "isnull":
            return IsNull
        if lookup_name == "exact":
            return _EmptyOnlyExact
        return None


class LookupHashField(models.CharField):
    """HMAC-SHA256 (hex) of the plain value of `source`, under the lookup key; None when it is empty."""

    computed_on_save = True  # core.bulk.insert_many calls pre_save
    audited = False  # core.services.editable_fields leaves it out of audit snapshots

    def __init__(self, *args: Any, source: str = "", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, default in (("max_length", 64), ("null", True), ("blank", True), ("editable", False)):
            if kwargs.get(key) == default:
                kwargs.pop(key)
        return name, path, args, kwargs

    def compute(self, obj: models.Model) -> str | None:
        return crypto.lookup_hash(self.source, getattr(obj, self.source))

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = self.compute(model_instance)
        setattr(model_instance, self.attname, value)
        return value


def hash_fields(model: type[models.Model]) -> list[LookupHashField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, LookupHashField)]


def fill_lookup_hashes(obj: models.Model) -> None:
    for f in hash_fields(type(obj)):
        setattr(obj, f.attname, f.compute(obj))


class LookupHashQuerySetMixin:
    """bulk_update() and update() keep the hashes in step with their encrypted sources."""

    def bulk_update(self, objs: Iterable[Any], fields: Iterable[str], batch_size: int | None = None) -> int:
        objs, fields = list(objs), list(fields)
        model = self.model  # type: ignore[attr-defined]
        extra = [f.name for f in hash_fields(model) if f.source in fields and f.name not in fields]
        for obj in objs:
            fill_lookup_hashes(obj)
        return super().bulk_update(objs, [*fields, *extra], batch_size)  # type: ignore[misc]

    def update(self, **kwargs: Any) -> int:
        for f in hash_fields(self.model):  # type: ignore[attr-defined]
            if f.source in kwargs and f.name not in kwargs:  # bulk_update() sends both, as expressions
                value = kwargs[f.source]
                if value is not None and not isinstance(value, str):
                    raise FieldError(f"{f.source} 是加密字段，update() 只接受字符串值。")
                kwargs[f.name] = crypto.lookup_hash(f.source, value)
        return super().update(**kwargs)  # type: ignore[misc]


class EncryptedJSONField(models.TextField):
    """A JSON value stored encrypted like EncryptedCharField (the JSON text is what is encrypted, so key rotation
    re-encrypts it the same way). Used where raw personal values are kept apart for the security admin
    (core.AuditSecret). Values written before encryption (plain JSON text) are read as they are."""

    encrypted = True

    @property
    def context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        text = crypto.decrypt(value, self.context) if crypto.is_encrypted(value) else value
        return json.loads(text)

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        return crypto.encrypt(json.dumps(value, ensure_ascii=False), self.context)

    def to_python(self, value: Any) -> Any:
        return value


def encrypted_columns() -> list[tuple[type[models.Model], Any]]:
    from django.apps import apps

    return [
        (model, f)
        for model in apps.get_models()
        for f in model._meta.concrete_fields
        if isinstance(f, EncryptedCharField | EncryptedJSONField)
    ]


def reencrypt(model: type[models.Model], field: Any, *, chunk: int = 2000) -> int:
    """Re-encrypt every value of `field` not yet under the current data key (plaintext left over included), with
    raw SQL in chunks of `chunk` rows, each in its own transaction. The lookup hashes do not change. Returns the
    number of values rewritten."""
    from django.db import connections, router, transaction

    connection = connections[router.db_for_write(model)]
    qn = connection.ops.quote_name
    table, column, pk = qn(model._meta.db_table), qn(field.column), qn(model._meta.pk.column)
    current = crypto.keyring().current
    done, last = 0, None
    while True:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            where = f"WHERE {pk} > %s " if last is not None else ""
            cursor.execute(
                f"SELECT {pk}, {column} FROM {table} {where}ORDER BY {pk} LIMIT %s",  # noqa: S608 - names from the model
                [last, chunk] if last is not None else [chunk],
            )
            rows = cursor.fetchall()
            if not rows:
                return done
            last = rows[-1][0]
            changed = []
            for row_pk, value in rows:
                if not value or crypto.key_id_of(value) == current:
                    continue
                plain = crypto.decrypt(value, field.context) if crypto.is_encrypted(value) else value
                changed.append([crypto.encrypt(plain, field.context), row_pk])
            if changed:
                cursor.executemany(f"UPDATE {table} SET {column} = %s WHERE {pk} = %s", changed)  # noqa: S608
            done += len(changed)
