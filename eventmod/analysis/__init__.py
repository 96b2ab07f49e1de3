"""What the code says: anchors, presence, placement, checks, naming and house style."""
