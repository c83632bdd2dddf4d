"""Names the dashboard's command line shares with the app, in a module that imports nothing, so
`candor dashboard --help` and a usage error stay quick."""

ENV_LOG_DIR = "CANDOR_LOG_DIR"
ENV_LABELS = "CANDOR_LABELS"
ENV_PLAN = "CANDOR_PLAN"
ENV_PRICES = "CANDOR_PRICES"
DEFAULT_NAME = "candor-labels.sqlite"
"""The label database's file name in the log directory, unless `--labels` names another."""
