"""Work made of many takes: comparing engines, batches."""
