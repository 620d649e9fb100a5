"""Starting JupyterLab, the Voila dashboard and the engine servers."""
