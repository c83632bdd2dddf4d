"""The Streamlit dashboard (`app.py`, `app_pages/`) and its data loaders: it reads logs.

May import scenarios, records and analysis (which reads the logs); never evals or scorers,
and never cli, tests or bench.
"""
