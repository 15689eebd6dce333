"""`zhixing rotate_data_key`: a new data key for personal data at rest, and every value re-encrypted under it."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from zhixing.core import crypto, keyfile
from zhixing.core.fields import encrypted_columns, reencrypt

log = logging.getLogger("zhixing.security")


class Command(BaseCommand):
    help = (
        "轮换个人信息（身份证号、手机号）的数据密钥：在密钥文件中加入新密钥并设为当前密钥，再用它重新加密全部数据。"
        "旧密钥保留在文件中，直到用它加密的备份都已过期再手工删除。检索用的 lookup 密钥不变。"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--reencrypt-only",
            action="store_true",
            help="不生成新密钥，只把不是当前密钥加密的数据重新加密（密钥在环境变量中时：先把新密钥写在最前面）。",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["reencrypt_only"]:
            self._new_key()
        ring = crypto.keyring()
        total = 0
        for model, field in encrypted_columns():
            count = reencrypt(model, field)
            total += count
            self.stdout.write(f"{field.context}：重新加密 {count} 项。")
        log.warning("data key rotation: %s values re-encrypted under key %s", total, ring.current)
        self.stdout.write(
            f"完成：当前数据密钥“{ring.current}”，共重新加密 {total} 项。旧密钥仍保留，可解密旧备份。"
        )

    def _new_key(self) -> None:
        if getattr(settings, "ZHIXING_DATA_KEY", ""):
            raise CommandError(
                "数据密钥来自环境变量 ZHIXING_DATA_KEY，本命令不能改写它：请在其中最前面的数据密钥之前加入新密钥"
                f"（例如 “{new_entry(crypto.keyring())}”，保留 lookup 和旧密钥），重启服务后运行"
                " zhixing rotate_data_key --reencrypt-only。"
            )
        path = crypto.key_file()
        ring = crypto.keyring()  # creates the file if there is none yet
        entry = new_entry(ring)
        lines = path.read_text(encoding="ascii").split()
        lookup = [line for line in lines if line.startswith("lookup:")]
        others = [line for line in lines if not line.startswith("lookup:")]
        keyfile.replace(path, "\n".join([*lookup, entry, *others]))
        crypto.forget_keys()
        self.stdout.write(f"已在 {path} 加入新数据密钥“{entry.split(':')[0]}”并设为当前密钥。")


def new_entry(ring: crypto.Keyring) -> str:
    numbers = [int(k[1:]) for k in ring.data if k[:1] == "k" and k[1:].isdigit()]
    return f"k{max(numbers, default=0) + 1}:{secrets.token_hex(crypto.KEY_BYTES)}"
