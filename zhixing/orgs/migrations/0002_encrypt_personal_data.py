# 身份证号 and 手机号 encrypted at rest (core/crypto.py), looked up by keyed hashes. Reversible: backwards decrypts
# the rows (the data key must still be there) and puts the unique constraint back on the plain column.

import django.core.validators
from django.db import migrations

import zhixing.core.fields

COLUMNS = (("id_number", "id_number_hash"), ("mobile", "mobile_hash"))


def _rows(schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id, id_number, mobile FROM orgs_person ORDER BY id")
        return cursor.fetchall()


def encrypt_rows(apps, schema_editor):
    from zhixing.core import crypto

    updates = []
    for pk, idn, mobile in _rows(schema_editor):
        values = []
        for (name, _), plain in zip(COLUMNS, (idn, mobile), strict=True):
            if plain and crypto.is_encrypted(plain):
                plain = crypto.decrypt(plain, f"orgs.person.{name}")
            values.append(crypto.encrypt(plain, f"orgs.person.{name}") if plain else plain)
            values.append(crypto.lookup_hash(name, plain))
        updates.append([*values, pk])
    with schema_editor.connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE orgs_person SET id_number = %s, id_number_hash = %s, mobile = %s, mobile_hash = %s WHERE id = %s",
            updates,
        )


def decrypt_rows(apps, schema_editor):
    from zhixing.core import crypto

    updates = []
    for pk, idn, mobile in _rows(schema_editor):
        plain = [
            crypto.decrypt(v, f"orgs.person.{name}") if v and crypto.is_encrypted(v) else v
            for (name, _), v in zip(COLUMNS, (idn, mobile), strict=True)
        ]
        updates.append([*plain, pk])
    with schema_editor.connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE orgs_person SET id_number = %s, mobile = %s, id_number_hash = NULL, mobile_hash = NULL WHERE id = %s",
            updates,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="id_number_hash",
            field=zhixing.core.fields.LookupHashField(source="id_number", verbose_name="身份证号检索哈希"),
        ),
        migrations.AddField(
            model_name="person",
            name="mobile_hash",
            field=zhixing.core.fields.LookupHashField(db_index=True, source="mobile", verbose_name="手机号检索哈希"),
        ),
        migrations.AlterField(
            model_name="person",
            name="id_number",
            field=zhixing.core.fields.EncryptedCharField(blank=True, max_length=18, null=True, verbose_name="身份证号"),
        ),
        migrations.AlterField(
            model_name="person",
            name="mobile",
            field=zhixing.core.fields.EncryptedCharField(
                blank=True,
                max_length=11,
                validators=[django.core.validators.RegexValidator("^1\\d{10}$", "手机号应为 11 位数字，以 1 开头。")],
                verbose_name="手机号",
            ),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows, elidable=False),
        migrations.AlterField(
            model_name="person",
            name="id_number_hash",
            field=zhixing.core.fields.LookupHashField(source="id_number", unique=True, verbose_name="身份证号检索哈希"),
        ),
    ]
