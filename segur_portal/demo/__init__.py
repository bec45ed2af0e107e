"""Demo data: the deck's concertation (load_demo) and the demo accounts."""
