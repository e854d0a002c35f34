"""aftersales-cert: after-sales service certification under GB/T 27922-2011."""

__version__ = "0.1.0"
