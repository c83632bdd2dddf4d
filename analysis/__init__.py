"""Statistics for Candor: proportions, 2x2 contrasts, stratified tests and power planning."""
