"""The book: notebook helpers, execution with papermill, generated pages and figures."""
