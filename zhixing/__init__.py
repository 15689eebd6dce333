"""知行 Zhixing: theory study and its implementation, for the Party organisations of government organs."""

__version__ = "0.1.0"
