"""Few-shot fine-tuning: minutes of one person's speech made into a dataset, then an adapter."""
