"""API of the study app, one router per topic: `compliance` (the compliance matrix and per-person attendance
rates, read-only) and `plans` (plans, monthly arrangements, 组织生活参考, 必学内容 coverage). `zhixing/api_urls.py`
adds both."""
