"""The `zhixing` console command.

Every subcommand is a Django management command, so `zhixing X` and `python manage.py X` are the same;
the few names below are spelled as a user would say them (`zhixing import people FILE.xlsx`).
"""

from __future__ import annotations

import os
import sys

ALIASES = {
    "import": "import_xlsx",
    "export": "export_xlsx",
    "worker": "run_huey",
    "token": "apitoken",
    "ledger-import": "ledger_import",
    "ledger-export": "ledger_export",
}

HELP = """知行 Zhixing

  zhixing demo [--port 8000]             安装演示数据并启动（首次会迁移数据库、载入演示单位）
  zhixing serve [--port 8000] [--host 127.0.0.1] [--workers 2]
                                         启动网站（未设置 REDIS_URL 时同时运行后台任务）
  zhixing seed --scale demo|city         生成演示或城市规模数据
  zhixing import orgs|people|holidays FILE.xlsx [--dry-run]
  zhixing export orgs|people|holidays FILE.xlsx [--year YYYY]
  zhixing ledger-import FILE.xlsx --lead CODE --title T [--start D] [--end D] [--dry-run]
  zhixing ledger-export ID FILE.xlsx     工作台账导入（新建台账，全部成功才写入）/ 导出
  zhixing createadmin                    创建机关工委管理员账号
  zhixing token create USER [--name N]   为用户生成 API 令牌（只显示一次）
  zhixing token list USER | revoke PREFIX  查看 / 吊销 API 令牌
  zhixing worker                         启动后台任务进程（REDIS_URL 已设置时）
  zhixing bench                          性能基准（city 规模）
  zhixing audit_verify                   校验审计记录未被篡改（完整输出 OK，否则状态码 1）
  zhixing audit_anchor                   把审计链最新位置写入数据库之外的锚定文件（后台每小时也写）
  zhixing duties_check                   检查三员分立（同一账号不能兼任系统管理员、安全管理员、审计员）
  zhixing audit_archive [--before DATE]  把超过保留期的审计记录归档到带签名的文件（每月后台也做）
  zhixing backup [--out DIR]             备份数据库、上传文件、锚定文件和审计归档（不含审计密钥）
  zhixing restore ARCHIVE [--force]      校验后从备份恢复（目标库非空须加 --force）
  zhixing <django-command> ...           以及 Django 的所有命令（migrate、check、shell ...）
"""


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(HELP)
        return 0
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhixing.settings")
    from django.core.management import execute_from_command_line

    args[0] = ALIASES.get(args[0], args[0])
    execute_from_command_line(["zhixing", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
