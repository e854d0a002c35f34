"""The certificate's cycle after issue: surveillance, recertification, reminders, expiry.

services.py (open and decide surveillances, recertification), job.py (the cycle's part of the daily
job, ops/daily.py), selectors.py and views.py (the CB's cycle dashboard), cli.py (`aftersales cycle
due`; importable before Django is set up, so this file imports nothing).
"""
