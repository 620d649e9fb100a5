"""Work made of many lines: scripts with a cast, subtitle dubbing, long-form books."""
