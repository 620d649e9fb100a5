"""voxnb bench: speed, intelligibility and speaker similarity of voxnb and its peers, in one run."""
