"""Service records (complaints, repair work orders, return visits, surveys): import, KPIs, sampling.

Pure Python with Polars; no Django. Frames hold naive local datetimes (the calendar's time zone).
"""
