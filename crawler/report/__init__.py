"""The public-summary report: aggregate decision logs, then render JSON, Markdown and HTML."""
