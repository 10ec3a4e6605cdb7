"""A calibrated synthetic France: the generator (``secu synth``) and the monthly events of its people."""
